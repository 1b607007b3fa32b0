import fastifyCookie from '@fastify/cookie';
import type { DynamicModule, LoggerService } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyServerOptions, RouteOptions } from 'fastify';

import type { AppConfig } from '@cls/config';
import { ConfigModule } from '@cls/config';
import { DatabaseModule } from '@cls/database';
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
import { Metrics, ObservabilityModule } from '@cls/observability';

import { ApiModule } from './api.module';
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

export interface ApiApplicationOptions {
  readonly logger: LoggerService | false;
  /** Also run every worker role in this process. */
  readonly withWorkers: boolean;
  /** Serve through this server (HTTPS beside HTTP) instead of a plain HTTP one. */
  readonly serverFactory?: FastifyServerOptions['serverFactory'];
  /** Told of every route as it is registered, plugins' included (the API docs test lists them). */
  readonly onRoute?: (route: RouteOptions) => void;
}

/**
 * The API as `main.ts` serves it, up to `init()`: the Nest application on Fastify with the body
 * parsers, cookies, request metrics, API docs and queue dashboard. Tests build it the same way.
 */
export async function createApiApplication(
  config: AppConfig,
  options: ApiApplicationOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 1024 },
    // Requests refused before routing still get the vAPI error shape.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    ...(options.serverFactory ? { serverFactory: options.serverFactory } : {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiRootModule.create(config, options.withWorkers),
    adapter,
    { bodyParser: false, logger: options.logger },
  );
  const fastify = app.getHttpAdapter().getInstance();
  if (options.onRoute) fastify.addHook('onRoute', options.onRoute);
  registerJsonBodyParser(fastify);
  answerPlainJson(fastify);
  await app.register(fastifyCookie);
  observeRequests(fastify, app.get(Metrics));
  await serveApiDocs(app);
  await serveQueueDashboard(app);
  return app;
}
