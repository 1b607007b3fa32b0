import { randomUUID } from 'node:crypto';

import type { DataSource, QueryRunner } from 'typeorm';

import type { EventTypeRegistry } from './event-type-registry';
import type {
  EventMetadata,
  ExpectedVersion,
  InlineProjection,
  RecordedEvent,
  SqlExecutor,
  StreamAppend,
  StreamSlice,
} from './event-store.types';
import { postgresErrorOf, UNIQUE_VIOLATION } from './postgres-error';
import { VersionConflict } from './version-conflict.error';

interface EventRow {
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

const EVENT_COLUMNS =
  'event_id, stream_id, stream_type, stream_version, global_position, transaction_id::text AS transaction_id, event_type, schema_version, data, metadata, recorded_at';

export function sqlExecutorOf(queryRunner: QueryRunner): SqlExecutor {
  return {
    async query<T>(sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
      const result = await queryRunner.query(sql, [...parameters], true);
      return result.records as T[];
    },
  };
}

function matches(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === 0;
  return expected === actual;
}

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
  ) {}

  async readStream(streamId: string): Promise<StreamSlice> {
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    );
    const events = rows.map((row) => this.toRecorded(row));
    return { version: events.at(-1)?.streamVersion ?? 0, events };
  }

  /**
   * Appends to one or more streams in a single transaction and runs the inline projections in it.
   * Throws VersionConflict when a stream moved; projection errors (domain vetoes) roll everything back.
   */
  async append(
    appends: readonly StreamAppend[],
    metadata: EventMetadata,
  ): Promise<RecordedEvent[]> {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.connect();
    try {
      await queryRunner.startTransaction();
      const sql = sqlExecutorOf(queryRunner);
      const recorded: RecordedEvent[] = [];
      for (const append of appends)
        recorded.push(...(await this.appendToStream(sql, append, metadata)));
      for (const event of recorded) await this.project(sql, event);
      await queryRunner.commitTransaction();
      return recorded;
    } catch (error) {
      if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction();
      throw error;
    } finally {
      await queryRunner.release();
    }
  }

  private async appendToStream(
    sql: SqlExecutor,
    append: StreamAppend,
    metadata: EventMetadata,
  ): Promise<RecordedEvent[]> {
    const [current] = await sql.query<{ version: number }>(
      'SELECT coalesce(max(stream_version), 0)::int AS version FROM events WHERE stream_id = $1',
      [append.streamId],
    );
    const actual = current?.version ?? 0;
    if (!matches(append.expectedVersion, actual)) {
      throw new VersionConflict(append.streamId, append.expectedVersion, actual);
    }
    const recorded: RecordedEvent[] = [];
    for (const [index, event] of append.events.entries()) {
      try {
        const [row] = await sql.query<EventRow>(
          `INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           RETURNING ${EVENT_COLUMNS}`,
          [
            randomUUID(),
            append.streamId,
            append.streamType,
            actual + index + 1,
            event.type,
            this.registry.schemaVersionOf(event.type),
            JSON.stringify(event.data),
            JSON.stringify(metadata),
          ],
        );
        if (row) recorded.push(this.toRecorded(row));
      } catch (error) {
        // A writer that read the same version committed between our read and our insert.
        if (postgresErrorOf(error)?.code === UNIQUE_VIOLATION) {
          throw new VersionConflict(append.streamId, append.expectedVersion, actual + 1);
        }
        throw error;
      }
    }
    return recorded;
  }

  private async project(sql: SqlExecutor, event: RecordedEvent): Promise<void> {
    for (const projection of this.projections) {
      if (projection.eventTypes.includes(event.type)) await projection.apply(sql, event);
    }
  }

  private toRecorded(row: EventRow): RecordedEvent {
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
