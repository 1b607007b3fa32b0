import { randomUUID } from 'node:crypto';

import type { DataSource, QueryRunner } from 'typeorm';

import { applyInlineProjections } from './apply-inline-projections';
import type { EventTypeRegistry } from './event-type-registry';
import type {
  EventMetadata,
  EventStoreObserver,
  FeedPosition,
  RecordedEvent,
  SqlExecutor,
  StreamAppend,
  StreamClaim,
  StreamGuard,
  StreamSlice,
} from './event-store.types';
import { postgresErrorOf, UNIQUE_VIOLATION } from './postgres-error';
import type { InlineProjection } from './row-changes';
import type { EventRow } from './event-rows';
import { decodeEventRow, EVENT_COLUMNS, feedParameters, feedQuery } from './event-rows';
import { poolOf, prepared, withPooledClient } from './prepared-statements';
import { VersionConflict } from './version-conflict.error';

export function sqlExecutorOf(queryRunner: QueryRunner): SqlExecutor {
  return {
    async query<T>(sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
      const result = await queryRunner.query(sql, [...parameters], true);
      return result.records as T[];
    },
  };
}

/** The LISTEN/NOTIFY channel on which every commit names the streams it appended to. */
export const STREAM_CHANGES_CHANNEL = 'cls_stream_changes';

/** First key of `pg_advisory_xact_lock(int, int)` for stream locks ("cls"); the second hashes the stream id. */
const STREAM_LOCK_NAMESPACE = 0x63_6c_73;

/**
 * The event store: one append-only table, a per-stream version guarded by a unique key, and a
 * global position. Readers of the global feed order by (transaction_id, global_position) and only
 * read below the oldest running transaction, so no committed event is ever skipped (STYLE §5).
 */
export class PostgresEventStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: EventTypeRegistry,
    private readonly projections: readonly InlineProjection[],
    private readonly observer?: EventStoreObserver,
  ) {}

  /** The stream's events after `afterVersion` (all by default), in order. */
  async readStream(streamId: string, afterVersion = 0): Promise<StreamSlice> {
    const rows = await prepared(poolOf(this.dataSource)).query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND stream_version > $2
       ORDER BY stream_version`,
      [streamId, afterVersion],
    );
    const events = rows.map((row) => this.decode(row));
    return { version: events.at(-1)?.streamVersion ?? afterVersion, events };
  }

  /**
   * The next committed events after `after`, in commit-safe order: only below the oldest running
   * transaction, so an event committed late can never appear behind a reader's checkpoint.
   */
  async readFeed(
    after: FeedPosition,
    limit: number,
    sql: SqlExecutor = {
      query: (text, parameters) => this.dataSource.query(text, [...(parameters ?? [])]),
    },
  ): Promise<RecordedEvent[]> {
    return this.feedAfter(after, limit, sql, true);
  }

  /**
   * The events after `after` in feed order, without the committed-snapshot filter. Only for a
   * caller whose transaction holds `LOCK TABLE events IN EXCLUSIVE MODE`: then every visible event
   * is committed and none can be added, while an unrelated long transaction may still hold the
   * snapshot's xmin back and make `readFeed` stop short.
   */
  readFeedWhileAppendsStopped(
    after: FeedPosition,
    limit: number,
    sql: SqlExecutor,
  ): Promise<RecordedEvent[]> {
    return this.feedAfter(after, limit, sql, false);
  }

  private async feedAfter(
    after: FeedPosition,
    limit: number,
    sql: SqlExecutor,
    committedSnapshotOnly: boolean,
  ): Promise<RecordedEvent[]> {
    const rows = await sql.query<EventRow>(
      feedQuery(committedSnapshotOnly),
      feedParameters(after, limit),
    );
    return rows.map((row) => this.decode(row));
  }

  /**
   * Appends to one or more streams in a single transaction and runs the inline projections in it.
   * Throws VersionConflict when a stream moved or a claim no longer holds; projection errors
   * (domain vetoes) roll everything back.
   */
  async append(
    appends: readonly StreamAppend[],
    metadata: EventMetadata,
    guards: readonly StreamGuard[] = [],
    claims: readonly StreamClaim[] = [],
  ): Promise<RecordedEvent[]> {
    const started = performance.now();
    const observe = (outcome: 'ok' | 'conflict' | 'error'): void =>
      this.observer?.appended(outcome, (performance.now() - started) / 1000);
    try {
      const recorded = await this.inTransaction(async (sql) => {
        // Stream locks in one order (by stream id) in every transaction: none waits in a cycle.
        const conditions = [...guards, ...claims].sort((a, b) =>
          a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0,
        );
        for (const condition of conditions) {
          if ('version' in condition) await this.lockShared(sql, condition.streamId);
          else await this.checkClaim(sql, condition);
        }
        const events = await this.insertEvents(sql, appends, metadata, guards);
        for (const event of events) await applyInlineProjections(this.projections, sql, event);
        return events;
      });
      observe('ok');
      return recorded;
    } catch (error) {
      observe(error instanceof VersionConflict ? 'conflict' : 'error');
      throw error;
    }
  }

  /**
   * Runs `work` while holding the stream's exclusive lock: plans guarding that stream
   * (`StreamGuard`) wait for it, and it waits for theirs to commit. Writers of the stream are not
   * held up; they are serialised by stream versions as always. The lock is the connection's, not a
   * transaction's: `work` writes nothing to the database (it reads, each statement with a snapshot
   * taken after the lock, and acts outside), so it needs no transaction of its own.
   */
  async exclusively<T>(streamId: string, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return withPooledClient(poolOf(this.dataSource), async (client, markBroken) => {
      const sql = prepared(client);
      const key = [STREAM_LOCK_NAMESPACE, streamId];
      await sql.query('SELECT pg_advisory_lock($1, hashtext($2))', key);
      try {
        return await work(sql);
      } finally {
        // A connection that may still hold the lock is closed, which releases it, not pooled.
        await sql.query('SELECT pg_advisory_unlock($1, hashtext($2))', key).catch(markBroken);
      }
    });
  }

  private async lockExclusively(sql: SqlExecutor, streamId: string): Promise<void> {
    await sql.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      STREAM_LOCK_NAMESPACE,
      streamId,
    ]);
  }

  /** Runs `work` in a transaction on one connection, its statements prepared (hot path). */
  private async inTransaction<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return withPooledClient(poolOf(this.dataSource), async (client, markBroken) => {
      await client.query('BEGIN');
      try {
        const result = await work(prepared(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that could not even roll back is not given to anyone else.
        await client.query('ROLLBACK').catch(markBroken);
        throw error;
      }
    });
  }

  /** Throws if a guarded stream is no longer at the version the plan read. */
  private async checkGuards(sql: SqlExecutor, guards: readonly StreamGuard[]): Promise<void> {
    for (const guard of guards) {
      const actual = await this.versionOf(sql, guard.streamId);
      if (actual !== guard.version)
        throw VersionConflict.atVersion(guard.streamId, guard.version, actual);
    }
  }

  /** A guard's lock; the insert, whose snapshot postdates it, checks the guarded version. */
  private async lockShared(sql: SqlExecutor, streamId: string): Promise<void> {
    await sql.query('SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', [
      STREAM_LOCK_NAMESPACE,
      streamId,
    ]);
  }

  private async checkClaim(sql: SqlExecutor, claim: StreamClaim): Promise<void> {
    // Lock, then ask in later statements: their snapshots must postdate the lock.
    await this.lockExclusively(sql, claim.streamId);
    if (!(await claim.stillHolds(sql)))
      throw new VersionConflict(claim.streamId, 'what the plan read under it has changed');
  }

  private async versionOf(sql: SqlExecutor, streamId: string): Promise<number> {
    const [current] = await sql.query<{ version: number }>(
      'SELECT coalesce(max(stream_version), 0)::int AS version FROM events WHERE stream_id = $1',
      [streamId],
    );
    return current?.version ?? 0;
  }

  /**
   * Inserts every event of the plan in one statement, in plan order (so their global positions
   * follow it). A stated version needs no read first: a writer that got there first holds the next
   * version and the insert loses on the unique key; and it inserts nothing unless each stream's
   * first new version follows a stored one (or is 1) and each guarded stream is still at the
   * version the plan read (its lock was taken in an earlier statement, so this one's snapshot
   * sees every write before it). Only `any` asks where the stream is. The
   * insert also names each stream on `STREAM_CHANGES_CHANNEL`, delivered on commit only (Postgres
   * sends a transaction's identical notifications once).
   */
  private async insertEvents(
    sql: SqlExecutor,
    appends: readonly StreamAppend[],
    metadata: EventMetadata,
    guards: readonly StreamGuard[],
  ): Promise<RecordedEvent[]> {
    const rows: {
      readonly streamId: string;
      readonly streamType: string;
      readonly version: number;
      readonly event: StreamAppend['events'][number];
    }[] = [];
    for (const append of appends) {
      const start = await this.startingVersion(sql, append);
      for (const [index, event] of append.events.entries()) {
        rows.push({ ...append, version: start + index + 1, event });
      }
    }
    if (rows.length === 0) {
      await this.checkGuards(sql, guards);
      return [];
    }
    let inserted: EventRow[];
    try {
      inserted = await sql.query<EventRow>(
        `WITH batch AS (
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::jsonb[])
             WITH ORDINALITY AS e(event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, ordinal)
         )
         INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
         SELECT event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, $8::jsonb
           FROM batch
          WHERE NOT EXISTS (
                  SELECT 1 FROM batch first
                   WHERE first.stream_version > 1
                     AND NOT EXISTS (SELECT 1 FROM batch before
                                      WHERE before.stream_id = first.stream_id
                                        AND before.stream_version = first.stream_version - 1)
                     AND NOT EXISTS (SELECT 1 FROM events stored
                                      WHERE stored.stream_id = first.stream_id
                                        AND stored.stream_version = first.stream_version - 1))
            AND NOT EXISTS (
                  SELECT 1 FROM unnest($9::text[], $10::int[]) AS guard(stream_id, version)
                   WHERE (SELECT coalesce(max(stored.stream_version), 0) FROM events stored
                           WHERE stored.stream_id = guard.stream_id) <> guard.version)
          ORDER BY ordinal
         RETURNING ${EVENT_COLUMNS}, pg_notify('${STREAM_CHANGES_CHANNEL}', stream_id) AS notified`,
        [
          rows.map(() => randomUUID()),
          rows.map((row) => row.streamId),
          rows.map((row) => row.streamType),
          rows.map((row) => row.version),
          rows.map((row) => row.event.type),
          rows.map((row) => this.registry.schemaVersionOf(row.event.type)),
          rows.map((row) => JSON.stringify(row.event.data)),
          JSON.stringify(metadata),
          guards.map((guard) => guard.streamId),
          guards.map((guard) => guard.version),
        ],
      );
    } catch (error) {
      // A writer that read the same version committed between our read and our insert (the
      // transaction is aborted now: the key Postgres names is all there is to tell which stream).
      const violation = postgresErrorOf(error);
      if (violation?.code === UNIQUE_VIOLATION) {
        const streamId =
          appends.find((append) => violation.detail?.includes(`(${append.streamId},`))?.streamId ??
          appends[0]?.streamId ??
          '';
        throw new VersionConflict(streamId, 'another writer appended the same version first');
      }
      throw error;
    }
    if (inserted.length < rows.length) {
      await this.checkGuards(sql, guards);
      for (const append of appends) {
        const actual = await this.versionOf(sql, append.streamId);
        if (typeof append.expectedVersion === 'number' && actual !== append.expectedVersion)
          throw VersionConflict.atVersion(append.streamId, append.expectedVersion, actual);
      }
      throw new VersionConflict(appends[0]?.streamId ?? '', 'not at the version expected');
    }
    // Global positions follow the insert order, which is the plan's.
    return inserted
      .map((row) => this.decode(row))
      .sort((a, b) => (a.globalPosition < b.globalPosition ? -1 : 1));
  }

  private async startingVersion(sql: SqlExecutor, append: StreamAppend): Promise<number> {
    if (append.expectedVersion === 'no_stream') return 0;
    if (append.expectedVersion === 'any') return this.versionOf(sql, append.streamId);
    return append.expectedVersion;
  }

  /** A stored row as a recorded event, its data upcast to the current schema version. */
  decode(row: EventRow): RecordedEvent {
    return decodeEventRow(this.registry, row);
  }
}
