import type { OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Logger, Module } from '@nestjs/common';
import { Redis } from 'ioredis';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { logConnectionErrors } from '@cls/observability';

import { ReadinessProbe } from './readiness';
import { REDIS } from './redis.token';

/**
 * The process's command connection to Redis. It fails fast instead of queueing commands while
 * Redis is away, so a health check or a producer learns about the outage at once (STYLE §6).
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Redis => {
        const redis = new Redis(config.redisUrl, {
          keyPrefix: `${config.redisPrefix}:`,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectionName: 'cls-engine',
        });
        logConnectionErrors(redis, new Logger('redis'), 'redis');
        return redis;
      },
    },
    ReadinessProbe,
  ],
  exports: [REDIS, ReadinessProbe],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
