import 'reflect-metadata';

import type { DynamicModule } from '@nestjs/common';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import type { AppConfig } from '@cls/config';
import {
  closeOnSignals,
  ConfigError,
  ConfigModule,
  loadConfig,
  tuneGarbageCollectorForStreaming,
} from '@cls/config';
import { DatabaseModule, migrateOnStart } from '@cls/database';
import { WorkerModule } from '@cls/jobs';
import { RedisModule } from '@cls/messaging';
import { createLogger, logUnhandled, MetricsServer, ObservabilityModule } from '@cls/observability';

@Module({})
class WorkerRootModule {
  static create(config: AppConfig): DynamicModule {
    return {
      module: WorkerRootModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        DatabaseModule,
        RedisModule,
        WorkerModule,
      ],
      providers: [MetricsServer],
    };
  }
}

/**
 * A worker process: any number of them share the queues; SIGTERM finishes or releases their jobs.
 * Migrations are applied first, as the API does, so a fleet may start in any order.
 */
async function main(): Promise<void> {
  tuneGarbageCollectorForStreaming();
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'worker');
  logUnhandled(logger);
  // Lines logged before Nest takes the logger over (a failing migration) are JSON too.
  Logger.overrideLogger(logger);
  await migrateOnStart(config.databaseUrl);
  const app = await NestFactory.createApplicationContext(WorkerRootModule.create(config), {
    logger,
  });
  closeOnSignals(app, logger, config.shutdownGraceSeconds);
  await app.init();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    new Logger('worker').fatal(
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  }
  process.exit(1);
});
