import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Job } from 'bullmq';
import { DelayedError, Worker } from 'bullmq';

import type { AppConfig, WorkerRole } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { Correlation, JobContext } from '@cls/context';
import { correlationOf } from '@cls/context';
import type { JobName, QueueName } from '@cls/domain';
import { logConnectionErrors, Metrics, withLogContext } from '@cls/observability';
import {
  CollectItemGarbageCommand,
  DiscardSessionStagingCommand,
  ExpireDownloadSessionCommand,
  ExpireUpdateSessionCommand,
  FinishUpdateSessionCompletionCommand,
  PullUpdateSessionFileCommand,
  UnpackUpdateSessionArchiveCommand,
} from '@cls/sessions';

import { queueConnection } from './queue-connection';

/** What reactions put in a job (`Reaction.data`), plus the request's correlation. */
interface JobData extends Correlation {
  readonly causationId: string;
  readonly sessionId?: string;
  readonly transferId?: string;
  readonly itemId?: string;
}

/** A field the job's reaction always sets; a job without it was not enqueued by this version. */
function field(job: Job<JobData>, name: 'sessionId' | 'transferId' | 'itemId'): string {
  const value = job.data[name];
  if (value === undefined) throw new Error(`job ${job.name} ${job.id ?? ''} has no ${name}`);
  return value;
}

const QUEUE_OF_ROLE: Partial<Record<WorkerRole, QueueName>> = {
  transfer: 'session-transfer',
  validation: 'session-validation',
  expiration: 'session-expiration',
  cleanup: 'session-cleanup',
};

/**
 * Pulls hold a connection and disk bandwidth each, so `WORKER_CONCURRENCY` bounds them; expiry,
 * completion and cleanup jobs are a few milliseconds of Postgres each and would queue up behind
 * so few slots (README, "Jobs", has the lateness this caused), so they get more.
 */
const SHORT_JOB_CONCURRENCY_FACTOR = 8;
/** A worker killed mid-job loses its lock this fast; another worker then takes the job over. */
const LOCK_DURATION_MS = 15_000;
const STALLED_CHECK_MS = 5_000;
/** An expiry job never asks again sooner than this, whatever the clocks say. */
const MIN_EXPIRY_RECHECK_MS = 1_000;

/**
 * Turns jobs into commands (STYLE §1): one BullMQ worker per queue of this process's roles. On
 * SIGTERM running pulls are aborted and released to the queue (their staged bytes stay for the
 * next worker to resume), and the workers close; after a SIGKILL the stalled-job check hands the
 * job to another worker.
 */
@Injectable()
export class JobProcessors implements OnApplicationShutdown {
  private readonly logger = new Logger('jobs');
  private readonly workers: Worker[] = [];
  private readonly shutdown = new AbortController();

  /** One handler per job name: the compiler refuses a job without one. */
  private readonly handlers: Record<
    JobName,
    (job: Job<JobData>, token?: string) => Promise<unknown>
  > = {
    'pull-file': (job, token) => this.pull(job, token),
    'finish-completion': (job) =>
      this.commands.execute(
        new FinishUpdateSessionCompletionCommand(
          this.context(job, 'validation'),
          field(job, 'sessionId'),
        ),
      ),
    'unpack-archive': (job) =>
      this.commands.execute(
        new UnpackUpdateSessionArchiveCommand(
          this.context(job, 'validation'),
          field(job, 'sessionId'),
          field(job, 'transferId'),
        ),
      ),
    'expire-session': async (job, token) =>
      this.askAgainAt(
        job,
        token,
        await this.commands.execute(
          new ExpireUpdateSessionCommand(this.context(job, 'expiration'), field(job, 'sessionId')),
        ),
      ),
    'expire-download-session': async (job, token) =>
      this.askAgainAt(
        job,
        token,
        await this.commands.execute(
          new ExpireDownloadSessionCommand(
            this.context(job, 'expiration'),
            field(job, 'sessionId'),
          ),
        ),
      ),
    'discard-staging': (job) =>
      this.commands.execute(new DiscardSessionStagingCommand(field(job, 'sessionId'))),
    'collect-garbage': (job) =>
      this.commands.execute(new CollectItemGarbageCommand(field(job, 'itemId'))),
  };

  constructor(
    private readonly commands: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** Starts consuming; called once Postgres and Redis answer. */
  start(): void {
    const { connection, prefix } = queueConnection(this.config);
    for (const role of this.config.workerRoles) {
      const queue = QUEUE_OF_ROLE[role];
      if (queue === undefined) continue;
      const worker = new Worker<JobData>(queue, (job, token) => this.process(queue, job, token), {
        connection,
        prefix,
        concurrency:
          queue === 'session-transfer'
            ? this.config.workerConcurrency
            : this.config.workerConcurrency * SHORT_JOB_CONCURRENCY_FACTOR,
        lockDuration: LOCK_DURATION_MS,
        stalledInterval: STALLED_CHECK_MS,
      });
      worker.on('failed', (job, error) => {
        const report = (): void =>
          this.logger.warn({
            msg: `${job?.name ?? 'job'} ${job?.id ?? ''} failed: ${error.message}`,
            queue,
            attempt: job?.attemptsMade,
          });
        if (job) withLogContext({ correlationId: job.data.correlationId }, report);
        else report();
      });
      logConnectionErrors(worker, this.logger, `queue ${queue}`);
      this.workers.push(worker);
    }
    this.logger.log(`consuming ${this.config.workerRoles.join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.shutdown.abort();
    await Promise.all(this.workers.map((worker) => worker.close()));
  }

  /**
   * Runs the job's handler under the correlation id of the request that caused it, so every log
   * line down to the commands names it, and measures it (a release at shutdown is neither outcome).
   */
  private process(queue: QueueName, job: Job<JobData>, token?: string): Promise<unknown> {
    const handler = this.handlers[job.name as JobName] as
      ((job: Job<JobData>, token?: string) => Promise<unknown>) | undefined;
    if (!handler) throw new Error(`no processor for job ${job.name}`);
    return withLogContext({ correlationId: job.data.correlationId }, async () => {
      const started = performance.now();
      const seconds = (): number => (performance.now() - started) / 1000;
      try {
        const result = await handler(job, token);
        this.metrics.observeJob(queue, job.name, 'completed', seconds());
        this.logger.log({ msg: `${job.name} done`, queue, jobId: job.id, seconds: seconds() });
        return result;
      } catch (error) {
        if (!(error instanceof DelayedError))
          this.metrics.observeJob(queue, job.name, 'failed', seconds());
        throw error;
      }
    });
  }

  private async pull(job: Job<JobData>, token?: string): Promise<unknown> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return await this.commands.execute(
        new PullUpdateSessionFileCommand(
          this.context(job, 'transfer'),
          field(job, 'sessionId'),
          field(job, 'transferId'),
          this.shutdown.signal,
          lastAttempt,
        ),
      );
    } catch (error) {
      if (!this.shutdown.signal.aborted) throw error;
      // Released, not failed: the next worker resumes from the staged bytes without losing a try.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
  }

  /**
   * An expiry job lives as long as its session: while there is a later deadline to ask at, it goes
   * back to the delayed set until then (the same job, not a new one per moved deadline).
   */
  private async askAgainAt(
    job: Job<JobData>,
    token: string | undefined,
    next: Date | undefined,
  ): Promise<void> {
    if (next === undefined) return;
    await job.moveToDelayed(Math.max(next.getTime(), Date.now() + MIN_EXPIRY_RECHECK_MS), token);
    throw new DelayedError();
  }

  private context(job: Job<JobData>, role: WorkerRole): JobContext {
    return { role, ...correlationOf(job.data), causationId: job.data.causationId };
  }
}
