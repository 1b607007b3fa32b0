import type { OnApplicationBootstrap } from '@nestjs/common';
import { Logger, Module } from '@nestjs/common';

import { ReadinessProbe } from '@cls/messaging';

/**
 * The worker fleet's module. Processors (transfers, validation, expiry) join it in later issues;
 * for now a worker boots, proves it reaches Postgres and Redis, and shuts down cleanly.
 */
/** How long a starting worker waits for Postgres and Redis before giving up. */
const STARTUP_TIMEOUT_MS = 30_000;

@Module({})
export class WorkerModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('worker');

  constructor(private readonly readiness: ReadinessProbe) {}

  async onApplicationBootstrap(): Promise<void> {
    const { postgres, redis } = await this.readiness.waitUntilReady(STARTUP_TIMEOUT_MS);
    if (!postgres || !redis) {
      throw new Error(
        `worker cannot start: postgres ${postgres ? 'up' : 'down'}, redis ${redis ? 'up' : 'down'}`,
      );
    }
    this.logger.log('worker ready');
  }
}
