import { randomUUID } from 'node:crypto';

import type { DataSource, QueryRunner } from 'typeorm';

import { applyInlineProjections } from './apply-inline-projections';
import type { EventTypeRegistry } from './event-type-registry';
import type {
  EventMetadata,
  EventStoreObserver,
  FeedPosition,
  InlineProjection,
  RecordedEvent,
  SqlExecutor,
  StreamAppend,
  StreamClaim,
  StreamGuard,
  StreamSlice,
} from './event-store.types';
import { postgresErrorOf, UNIQUE_VIOLATION } from './postgres-error';
import { VersionConflict } from './version-conflict.error';

/** An events row as `EVENT_COLUMNS` selects it; `PostgresEventStore.decode` reads it. */
export interface EventRow {
  event_id: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  global_position: string;
  transaction_id: string;
  event_type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
}

/**
 * The columns every reader of the events table selects, for `PostgresEventStore.decode`. The list
 * renames `transaction_id` to its text: an ORDER BY of the bare name would sort by that text
 * ('100000' before '99999') and without the feed index, so feed queries order by the qualified
 * column.
 */
export const EVENT_COLUMNS =
  'event_id, stream_id, stream_type, stream_version, global_position, transaction_id::text AS transaction_id, event_type, schema_version, data, metadata, recorded_at';

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
    const rows = await this.dataSource.query<EventRow[]>(
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
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         ${committedSnapshotOnly ? 'AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())' : ''}
       ORDER BY events.transaction_id, events.global_position
       LIMIT $3`,
      [after.transactionId.toString(), after.globalPosition.toString(), limit],
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
          if ('version' in condition) await this.checkGuard(sql, condition);
          else await this.checkClaim(sql, condition);
        }
        const events: RecordedEvent[] = [];
        for (const append of appends)
          events.push(...(await this.appendToStream(sql, append, metadata)));
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
   * Runs `work` in a transaction that holds the stream's exclusive lock: plans guarding that stream
   * (`StreamGuard`) wait for it, and it waits for theirs to commit. Writers of the stream are not
   * held up; they are serialised by stream versions as always.
   */
  async exclusively<T>(streamId: string, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.inTransaction(async (sql) => {
      await this.lockExclusively(sql, streamId);
      return work(sql);
    });
  }

  private async lockExclusively(sql: SqlExecutor, streamId: string): Promise<void> {
    await sql.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
      STREAM_LOCK_NAMESPACE,
      streamId,
    ]);
  }

  private async inTransaction<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.connect();
    try {
      await queryRunner.startTransaction();
      const result = await work(sqlExecutorOf(queryRunner));
      await queryRunner.commitTransaction();
      return result;
    } catch (error) {
      if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction();
      throw error;
    } finally {
      await queryRunner.release();
    }
  }

  private async checkGuard(sql: SqlExecutor, guard: StreamGuard): Promise<void> {
    // Lock, then read in a later statement: its snapshot must postdate the lock.
    await sql.query('SELECT pg_advisory_xact_lock_shared($1, hashtext($2))', [
      STREAM_LOCK_NAMESPACE,
      guard.streamId,
    ]);
    const actual = await this.versionOf(sql, guard.streamId);
    if (actual !== guard.version)
      throw VersionConflict.atVersion(guard.streamId, guard.version, actual);
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

  private async appendToStream(
    sql: SqlExecutor,
    append: StreamAppend,
    metadata: EventMetadata,
  ): Promise<RecordedEvent[]> {
    // A stated version needs no read first (one round trip per command saved): a writer that got
    // there first holds the next version and our insert loses on the unique key, and the insert
    // itself refuses a version ahead of the stream. Only `any` asks where the stream is.
    // The insert also names the stream on `STREAM_CHANGES_CHANNEL`, delivered on commit only
    // (Postgres sends a transaction's identical notifications once).
    const start = await this.startingVersion(sql, append);
    const recorded: RecordedEvent[] = [];
    for (const [index, event] of append.events.entries()) {
      const version = start + index + 1;
      let row: EventRow | undefined;
      try {
        [row] = await sql.query<EventRow>(
          `INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
           SELECT $1::uuid, $2::text, $3::text, $4::int, $5::text, $6::int, $7::jsonb, $8::jsonb
            WHERE $4::int = 1
               OR EXISTS (SELECT 1 FROM events WHERE stream_id = $2::text AND stream_version = $4::int - 1)
           RETURNING ${EVENT_COLUMNS}, pg_notify('${STREAM_CHANGES_CHANNEL}', stream_id) AS notified`,
          [
            randomUUID(),
            append.streamId,
            append.streamType,
            version,
            event.type,
            this.registry.schemaVersionOf(event.type),
            JSON.stringify(event.data),
            JSON.stringify(metadata),
          ],
        );
      } catch (error) {
        // A writer that read the same version committed between our read and our insert.
        if (postgresErrorOf(error)?.code === UNIQUE_VIOLATION) {
          throw VersionConflict.atVersion(append.streamId, append.expectedVersion, version);
        }
        throw error;
      }
      if (!row) {
        throw VersionConflict.atVersion(
          append.streamId,
          append.expectedVersion,
          await this.versionOf(sql, append.streamId),
        );
      }
      recorded.push(this.decode(row));
    }
    return recorded;
  }

  private async startingVersion(sql: SqlExecutor, append: StreamAppend): Promise<number> {
    if (append.expectedVersion === 'no_stream') return 0;
    if (append.expectedVersion === 'any') return this.versionOf(sql, append.streamId);
    return append.expectedVersion;
  }

  /** A stored row as a recorded event, its data upcast to the current schema version. */
  decode(row: EventRow): RecordedEvent {
    return {
      eventId: row.event_id,
      streamId: row.stream_id,
      streamType: row.stream_type,
      streamVersion: row.stream_version,
      globalPosition: BigInt(row.global_position),
      transactionId: BigInt(row.transaction_id),
      type: row.event_type,
      schemaVersion: row.schema_version,
      data: this.registry.upcast(row.event_type, row.schema_version, row.data),
      metadata: row.metadata,
      recordedAt: row.recorded_at,
    };
  }
}
