import { setTimeout as sleep } from 'node:timers/promises';

import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

import { DATA_SOURCE } from '@cls/database';

import { REDIS } from './redis.token';

export interface Readiness {
  readonly postgres: boolean;
  readonly redis: boolean;
}

/** Whether this process can reach the two servers it depends on. */
@Injectable()
export class ReadinessProbe {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async check(): Promise<Readiness> {
    const [postgres, redis] = await Promise.all([
      this.db.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      this.redis.ping().then(
        (reply) => reply === 'PONG',
        () => false,
      ),
    ]);
    return { postgres, redis };
  }

  /** At boot the Redis connection is still being made: wait for both servers, up to a deadline. */
  async waitUntilReady(timeoutMs: number): Promise<Readiness> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const readiness = await this.check();
      if ((readiness.postgres && readiness.redis) || Date.now() >= deadline) return readiness;
      await sleep(200);
    }
  }
}
