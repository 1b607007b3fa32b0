import type { OnModuleInit } from '@nestjs/common';
import { Injectable } from '@nestjs/common';

import type { QueueCount } from '@cls/observability';
import { Metrics } from '@cls/observability';

import { Queues } from './queues';

/** Queue depths on a worker's metrics: BullMQ's counts per state, read from Redis at each scrape. */
@Injectable()
export class QueueDepthSampler implements OnModuleInit {
  constructor(
    private readonly queues: Queues,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.sampleQueues(async () => {
      const perQueue = await Promise.all(
        this.queues.all().map(async (queue): Promise<QueueCount[]> => {
          const counts = await queue.getJobCounts();
          return Object.entries(counts).map(([state, count]) => ({
            queue: queue.name,
            state,
            count,
          }));
        }),
      );
      return perQueue.flat();
    });
  }
}
