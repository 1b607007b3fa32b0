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
import {
  answerClientError,
  answerFrameworkError,
  answerPlainJson,
  JSON_BODY_LIMIT_BYTES,
  observeRequests,
  registerJsonBodyParser,
} from '@cls/http';
import { WorkerModule } from '@cls/jobs';
import { RedisModule } from '@cls/messaging';
import { createLogger, logUnhandled, Metrics, ObservabilityModule } from '@cls/observability';

import { ApiModule } from './api.module';
import { bootstrapAdmin } from './bootstrap-admin';
import { serveApiDocs } from './ops/api-docs';
import { serveQueueDashboard } from './ops/queue-dashboard';
import { HttpsListener } from './tls/https-listener';
import { loadTlsIdentity } from './tls/tls-identity';

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
  logUnhandled(logger);
  // Lines logged before Nest takes the logger over (a failing migration) are JSON too.
  Logger.overrideLogger(logger);
  const withWorkers = process.argv.includes('--with-workers');
  await migrateOnStart(config.databaseUrl);

  const tls = config.https && (await loadTlsIdentity(config.https, config.storageRoot));
  const httpsListener = tls && new HttpsListener(tls);
  const adapter = new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 1024 },
    // Requests refused before routing still get the vAPI error shape.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    ...(httpsListener ? { serverFactory: httpsListener.serverFactory } : {}),
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
  answerPlainJson(fastify);
  await app.register(fastifyCookie);
  observeRequests(fastify, app.get(Metrics));
  await serveApiDocs(app);
  await serveQueueDashboard(app);
  if (httpsListener) fastify.addHook('onClose', () => httpsListener.close());
  closeOnSignals(app, logger, config.shutdownGraceSeconds, () => {
    fastify.server.closeAllConnections();
    httpsListener?.closeAllConnections();
  });
  await app.init();
  await bootstrapAdmin(app.get(UserDirectory), config);
  await app.listen(config.port, config.host);
  logger.log(
    `listening on ${await app.getUrl()}${withWorkers ? ' with all worker roles' : ''}`,
    'bootstrap',
  );
  if (config.https && httpsListener && tls) {
    const port = await httpsListener.listen(config.https.port, config.host);
    logger.log(
      `listening on https port ${port}, certificate SHA-256 ${tls.thumbprint}` +
        (tls.generated ? ' (self-signed, generated now and kept)' : ''),
      'bootstrap',
    );
  }
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
