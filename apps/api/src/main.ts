import 'reflect-metadata';

import fastifyCookie from '@fastify/cookie';
import type { DynamicModule } from '@nestjs/common';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';

import { UserDirectory } from '@cls/access';
import type { AppConfig } from '@cls/config';
import {
  closeOnSignals,
  ConfigError,
  ConfigModule,
  loadConfig,
  tuneGarbageCollectorForStreaming,
} from '@cls/config';
import { DatabaseModule, migrateOnStart } from '@cls/database';
import { JSON_BODY_LIMIT_BYTES, observeRequests, registerJsonBodyParser } from '@cls/http';
import { WorkerModule } from '@cls/jobs';
import { RedisModule } from '@cls/messaging';
import { createLogger, Metrics, ObservabilityModule } from '@cls/observability';

import { ApiModule } from './api.module';
import { bootstrapAdmin } from './bootstrap-admin';
import { serveApiDocs } from './ops/api-docs';
import { serveQueueDashboard } from './ops/queue-dashboard';

@Module({})
class ApiRootModule {
  static create(config: AppConfig, withWorkers: boolean): DynamicModule {
    return {
      module: ApiRootModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        DatabaseModule,
        RedisModule,
        ApiModule,
        ...(withWorkers ? [WorkerModule] : []),
      ],
    };
  }
}

/**
 * `node main.js` serves the API; `--with-workers` also runs every worker role in this process
 * (what `npm start` does). Migrations are applied first; concurrent starts take turns.
 */
async function main(): Promise<void> {
  tuneGarbageCollectorForStreaming();
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  // Lines logged before Nest takes the logger over (a failing migration) are JSON too.
  Logger.overrideLogger(logger);
  const withWorkers = process.argv.includes('--with-workers');
  await migrateOnStart(config.databaseUrl);

  const adapter = new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 1024 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiRootModule.create(config, withWorkers),
    adapter,
    {
      bodyParser: false,
      logger,
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify);
  await app.register(fastifyCookie);
  observeRequests(fastify, app.get(Metrics));
  await serveApiDocs(app);
  await serveQueueDashboard(app);
  closeOnSignals(app, logger, config.shutdownGraceSeconds);
  await app.init();
  await bootstrapAdmin(app.get(UserDirectory), config);
  await app.listen(config.port, config.host);
  logger.log(
    `listening on ${await app.getUrl()}${withWorkers ? ' with all worker roles' : ''}`,
    'bootstrap',
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    new Logger('bootstrap').fatal(
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  }
  process.exit(1);
});
