import type { OnApplicationBootstrap } from '@nestjs/common';
import { Logger, Module } from '@nestjs/common';

import { ReadinessProbe } from '@cls/messaging';
import { SessionsModule } from '@cls/sessions';

import { FleetSweeper } from './fleet-sweeper';
import { JobEnqueuer } from './job-enqueuer';
import { JobProcessors } from './job-processors';
import { OutboxRelay } from './outbox-relay';
import { QueueDepthSampler } from './queue-depth-sampler';
import { QueuesModule } from './queues.module';

/** How long a starting worker waits for Postgres and Redis before giving up. */
const STARTUP_TIMEOUT_MS = 30_000;

/**
 * The worker fleet: the outbox relay (one leader at a time) and the job processors of the roles
 * in `WORKER_ROLES`. Nothing is consumed before Postgres and Redis answer.
 */
@Module({
  imports: [SessionsModule, QueuesModule],
  providers: [JobEnqueuer, OutboxRelay, JobProcessors, FleetSweeper, QueueDepthSampler],
})
export class WorkerModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('worker');

  constructor(
    private readonly readiness: ReadinessProbe,
    private readonly processors: JobProcessors,
    private readonly sweeper: FleetSweeper,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { postgres, redis } = await this.readiness.waitUntilReady(STARTUP_TIMEOUT_MS);
    if (!postgres || !redis) {
      throw new Error(
        `worker cannot start: postgres ${postgres ? 'up' : 'down'}, redis ${redis ? 'up' : 'down'}`,
      );
    }
    this.processors.start();
    this.sweeper.start();
    this.logger.log('worker ready');
  }
}
