import { Queue } from 'bullmq';

import type { AppConfig } from '@cls/config';
import type { QueueName } from '@cls/domain';
import { QUEUE_NAMES } from '@cls/domain';

import { queueConnection } from './queue-connection';

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export type QueueDepth = { readonly queue: QueueName } & Readonly<Record<QueueState, number>>;

export interface FailedJob {
  readonly queue: QueueName;
  readonly id: string;
  readonly name: string;
  readonly reason: string;
  readonly attempts: number;
  readonly failedAt?: Date;
}

export interface QueueOverview {
  readonly depths: readonly QueueDepth[];
  /** The most recently failed jobs of every queue, newest first. */
  readonly lastFailed: readonly FailedJob[];
}

/**
 * Depth of every queue by state and the last failed jobs with their reasons, for an operator.
 * Read only: the queues are opened without writing their metadata, and a Redis that does not
 * answer fails the call instead of queueing commands until it comes back.
 */
export async function inspectQueues(
  config: Pick<AppConfig, 'redisUrl' | 'redisPrefix'>,
  failedPerQueue: number,
): Promise<QueueOverview> {
  const { prefix } = queueConnection(config);
  const queues = QUEUE_NAMES.map((name) => ({
    name,
    queue: new Queue(name, {
      connection: { url: config.redisUrl, maxRetriesPerRequest: 1, enableOfflineQueue: false },
      prefix,
      skipMetasUpdate: true,
    }),
  }));
  // A Redis that does not answer fails the calls below, which is what the operator is told.
  for (const { queue } of queues) queue.on('error', () => undefined);
  try {
    await Promise.all(queues.map(({ queue }) => queue.waitUntilReady()));
    const depths = await Promise.all(
      queues.map(async ({ name, queue }): Promise<QueueDepth> => {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        const count = (state: QueueState): number => counts[state] ?? 0;
        return {
          queue: name,
          waiting: count('waiting'),
          active: count('active'),
          delayed: count('delayed'),
          failed: count('failed'),
          completed: count('completed'),
        };
      }),
    );
    const failed = await Promise.all(
      queues.map(async ({ name, queue }) =>
        (await queue.getFailed(0, failedPerQueue - 1)).map((job): FailedJob => ({
          queue: name,
          id: job.id ?? '',
          name: job.name,
          reason: job.failedReason,
          attempts: job.attemptsMade,
          ...(job.finishedOn === undefined ? {} : { failedAt: new Date(job.finishedOn) }),
        })),
      ),
    );
    const lastFailed = failed
      .flat()
      .sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0))
      .slice(0, failedPerQueue);
    return { depths, lastFailed };
  } finally {
    await Promise.all(queues.map(({ queue }) => queue.close()));
  }
}
