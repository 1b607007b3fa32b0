import { setTimeout as sleep } from 'node:timers/promises';

import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { AdvisoryLock, DATA_SOURCE } from '@cls/database';
import type {
  DownloadSessionEvent,
  LibraryItemEvent,
  Reaction,
  UpdateSessionEvent,
} from '@cls/domain';
import {
  downloadSessionReactions,
  libraryItemReactions,
  updateSessionReactions,
  withoutSupersededJobs,
} from '@cls/domain';
import type { RecordedEvent } from '@cls/event-store';
import {
  loadFeedCheckpoint,
  PostgresEventStore,
  saveFeedCheckpoint,
  sqlExecutorOf,
} from '@cls/event-store';
import { correlationOf } from '@cls/sessions';

import type { CorrelatedReaction } from './job-enqueuer';
import { JobEnqueuer } from './job-enqueuer';

const CONSUMER = 'outbox-relay';
const BATCH_SIZE = 500;
const IDLE_POLL_MS = 100;
const STANDBY_POLL_MS = 1_000;
const RETRY_AFTER_ERROR_MS = 1_000;

/** The reactions of each stream type whose events call for jobs. */
const REACTIONS_OF_STREAM: Readonly<
  Record<string, (event: { type: string; data: unknown }, eventId: string) => Reaction[]>
> = {
  update_session: (event, eventId) => updateSessionReactions(event as UpdateSessionEvent, eventId),
  download_session: (event, eventId) =>
    downloadSessionReactions(event as DownloadSessionEvent, eventId),
  library_item: (event, eventId) => libraryItemReactions(event as LibraryItemEvent, eventId),
};

/** The follow-up jobs of a stored event, with the request's correlation carried along. */
function reactionsOf(event: RecordedEvent): CorrelatedReaction[] {
  const reactions =
    REACTIONS_OF_STREAM[event.streamType]?.(
      { type: event.type, data: event.data },
      event.eventId,
    ) ?? [];
  return reactions.map((reaction) => ({ ...reaction, ...correlationOf(event.metadata) }));
}

/**
 * The events table is the outbox (STYLE §6): the relay reads committed events after its checkpoint,
 * enqueues their reactions with deterministic job ids, then moves the checkpoint. A crash between
 * the two re-enqueues a batch, which BullMQ ignores for jobs still queued and processors treat as
 * no-ops otherwise. Only the holder of an advisory lock relays; its connection carries the lock,
 * so a dead leader's standby takes over as soon as Postgres notices.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('outbox-relay');
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly store: PostgresEventStore,
    private readonly jobs: JobEnqueuer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.workerRoles.includes('relay')) return;
    this.running = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        await this.lead();
      } catch (error) {
        if (this.stop.signal.aborted) return;
        this.logger.warn(`relay paused: ${error instanceof Error ? error.message : String(error)}`);
        await this.pause(RETRY_AFTER_ERROR_MS);
      }
    }
  }

  private async lead(): Promise<void> {
    const connection = this.db.createQueryRunner();
    await connection.connect();
    const sql = sqlExecutorOf(connection);
    try {
      while (!this.stop.signal.aborted) {
        const [lock] = await sql.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock($1) AS locked',
          [AdvisoryLock.outboxRelay],
        );
        if (lock?.locked) break;
        await this.pause(STANDBY_POLL_MS);
      }
      this.logger.log('relaying events to the job queues');
      while (!this.stop.signal.aborted) {
        const relayed = await this.relayBatch(sql);
        if (relayed < BATCH_SIZE) await this.pause(IDLE_POLL_MS);
      }
    } finally {
      await sql.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await connection.release();
    }
  }

  private async relayBatch(sql: ReturnType<typeof sqlExecutorOf>): Promise<number> {
    const after = await loadFeedCheckpoint(sql, CONSUMER);
    const events = await this.store.readFeed(after, BATCH_SIZE, sql);
    const last = events.at(-1);
    if (!last) return 0;
    await this.jobs.enqueue(withoutSupersededJobs(events.flatMap(reactionsOf)));
    await saveFeedCheckpoint(sql, CONSUMER, last);
    return events.length;
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }
}
