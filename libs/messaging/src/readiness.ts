import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

import { DATA_SOURCE } from '@cls/database';

import { REDIS } from './redis.module';

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
}
