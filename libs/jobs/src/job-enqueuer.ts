import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { Correlation } from '@cls/context';
import { correlationOf } from '@cls/context';
import type { QueueName, Reaction } from '@cls/domain';
import { QUEUE_OF_JOB } from '@cls/domain';

import { jobOptions } from './job-options';
import { Queues } from './queues';

/** A reaction with the correlation of the request that caused it. */
export type CorrelatedReaction = Reaction & Correlation;

/**
 * Puts reactions on their queues under their deterministic ids: adding one whose job still exists
 * changes nothing, so the relay and the sweep may offer the same work again without doubling it.
 */
@Injectable()
export class JobEnqueuer {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: Queues,
  ) {}

  async enqueue(reactions: readonly CorrelatedReaction[]): Promise<void> {
    const options = jobOptions(this.config);
    const now = Date.now();
    const byQueue = new Map<QueueName, Parameters<Queue['addBulk']>[0]>();
    for (const reaction of reactions) {
      const queue = QUEUE_OF_JOB[reaction.job];
      const delay = reaction.runAt === undefined ? 0 : Date.parse(reaction.runAt) - now;
      const jobs = byQueue.get(queue) ?? [];
      jobs.push({
        name: reaction.job,
        data: { ...reaction.data, ...correlationOf(reaction) },
        opts: { ...options[reaction.job], jobId: reaction.jobId, delay: Math.max(0, delay) },
      });
      byQueue.set(queue, jobs);
    }
    for (const [queue, jobs] of byQueue) await this.queues.get(queue).addBulk(jobs);
  }

  /** Offers the work again, and gives a job that ran out of attempts (e.g. while Postgres was down) another go. */
  async reoffer(reactions: readonly CorrelatedReaction[]): Promise<void> {
    await this.enqueue(reactions);
    for (const reaction of reactions) {
      const job = await this.queues.get(QUEUE_OF_JOB[reaction.job]).getJob(reaction.jobId);
      if (job && (await job.getState()) === 'failed') await job.retry('failed');
    }
  }
}
