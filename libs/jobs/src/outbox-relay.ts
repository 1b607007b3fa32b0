import { setTimeout as sleep } from 'node:timers/promises';

import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { correlationOf } from '@cls/context';
import { AdvisoryLock, DATA_SOURCE, Doorbell, PostgresNotifications } from '@cls/database';
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
import type { FeedPosition, RecordedEvent, SqlExecutor } from '@cls/event-store';
import {
  loadFeedCheckpoint,
  PostgresEventStore,
  poolOf,
  prepared,
  saveFeedCheckpoint,
  withPooledClient,
  STREAM_CHANGES_CHANNEL,
} from '@cls/event-store';

import type { CorrelatedReaction } from './job-enqueuer';
import { JobEnqueuer } from './job-enqueuer';

const CONSUMER = 'outbox-relay';
const BATCH_SIZE = 500;
/**
 * Between two batches: commits arriving meanwhile gather into the next batch, so a busy store
 * costs a few reads a second, not one per commit.
 */
const BATCH_INTERVAL_MS = 100;
/**
 * A notified event may not be readable yet (an older transaction still runs and holds the feed's
 * horizon back): re-read at this interval, doubling, until it shows or the safety poll takes over.
 */
const HORIZON_RETRY_MS = 50;
/** The safety net when no notification comes (one lost while the LISTEN connection reconnects). */
const SAFETY_POLL_MS = 5_000;
const STANDBY_POLL_MS = 1_000;
const CHECKPOINT_INTERVAL_MS = 1_000;
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
 * The leader's place in the feed, kept in memory and stored at most once a second while events
 * flow, and whenever the relay catches up: a crash re-relays at most that second's events, which
 * the jobs' deterministic ids and idempotent processors make harmless.
 */
class RelayCheckpoint {
  private savedAt = 0;
  private saved: FeedPosition;

  constructor(
    private readonly sql: SqlExecutor,
    public position: FeedPosition,
  ) {
    this.saved = position;
  }

  async moveTo(position: FeedPosition, caughtUp: boolean): Promise<void> {
    this.position = position;
    if (this.saved === position) return;
    if (!caughtUp && Date.now() - this.savedAt < CHECKPOINT_INTERVAL_MS) return;
    await saveFeedCheckpoint(this.sql, CONSUMER, position);
    this.saved = position;
    this.savedAt = Date.now();
  }
}

/**
 * The events table is the outbox (STYLE §6): the relay reads committed events after its checkpoint,
 * enqueues their reactions with deterministic job ids, then moves the checkpoint. A crash between
 * the two re-enqueues a batch, which BullMQ ignores for jobs still queued and processors treat as
 * no-ops otherwise. Only the holder of an advisory lock relays; its connection carries the lock,
 * so a dead leader's standby takes over as soon as Postgres notices. The leader reads when the
 * store's commit notifications say there is something to read, and polls only as a safety net,
 * so an idle fleet costs Postgres a statement every few seconds.
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
    private readonly notifications: PostgresNotifications,
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
    const committed = new Doorbell();
    const unsubscribe = await this.notifications.subscribe(STREAM_CHANGES_CHANNEL, {
      notified: () => committed.ring(),
      missed: () => committed.ring(),
    });
    try {
      // The leader's advisory lock lives on this connection: one held for the whole leadership.
      await withPooledClient(poolOf(this.db), async (connection, markBroken) => {
        const sql = prepared(connection);
        try {
          await this.waitForLeadership(sql);
          await this.relayWhileLeading(sql, committed);
        } finally {
          // A connection that cannot even unlock is not given back to the pool.
          await sql.query('SELECT pg_advisory_unlock_all()').catch(markBroken);
        }
      });
    } finally {
      unsubscribe();
    }
  }

  private async waitForLeadership(sql: SqlExecutor): Promise<void> {
    while (!this.stop.signal.aborted) {
      const [lock] = await sql.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [AdvisoryLock.outboxRelay],
      );
      if (lock?.locked) return;
      await this.pause(STANDBY_POLL_MS);
    }
  }

  private async relayWhileLeading(sql: SqlExecutor, committed: Doorbell): Promise<void> {
    if (this.stop.signal.aborted) return;
    this.logger.log('relaying events to the job queues');
    // The leader is the checkpoint's only writer: read it once, then keep it in memory.
    const checkpoint = new RelayCheckpoint(sql, await loadFeedCheckpoint(sql, CONSUMER));
    let patienceMs = SAFETY_POLL_MS;
    while (!this.stop.signal.aborted) {
      committed.clear(); // this read sees every commit notified so far
      const relayed = await this.relayBatch(sql, checkpoint.position);
      await checkpoint.moveTo(relayed.position, relayed.count === 0);
      if (relayed.count === BATCH_SIZE) continue;
      if (relayed.count > 0) {
        patienceMs = SAFETY_POLL_MS;
        await this.pause(BATCH_INTERVAL_MS);
      }
      const notified = await this.rang(committed, patienceMs);
      // A notified commit the next read cannot see yet sits behind an older running transaction:
      // ask again soon, then less and less often, up to the safety poll.
      patienceMs = notified ? HORIZON_RETRY_MS : Math.min(patienceMs * 2, SAFETY_POLL_MS);
    }
  }

  /** Enqueues the jobs of the next batch; answers how many events it had and where it ended. */
  private async relayBatch(
    sql: SqlExecutor,
    after: FeedPosition,
  ): Promise<{ count: number; position: FeedPosition }> {
    const events = await this.store.readFeed(after, BATCH_SIZE, sql);
    const last = events.at(-1);
    if (!last) return { count: 0, position: after };
    await this.jobs.enqueue(withoutSupersededJobs(events.flatMap(reactionsOf)));
    return { count: events.length, position: last };
  }

  /** Whether the doorbell rang within `ms` (false on timeout or shutdown). */
  private async rang(doorbell: Doorbell, ms: number): Promise<boolean> {
    const signal = AbortSignal.any([this.stop.signal, AbortSignal.timeout(ms)]);
    return doorbell.wait(signal).then(
      () => true,
      () => false,
    );
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }
}
