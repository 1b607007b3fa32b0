import { performance } from 'node:perf_hooks';

import type { DataSource, QueryRunner } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';

import type {
  FeedPosition,
  InlineProjection,
  PostgresEventStore,
  RecordedEvent,
  SqlExecutor,
} from '@cls/event-store';
import { AdvisoryLock } from '@cls/database';
import { applyInlineProjections, FEED_START, sqlExecutorOf } from '@cls/event-store';

import { CoalescingConnection } from './coalescing-connection';
import type { RebuildOptions, RebuildReport } from './rebuild-report';
import { ReplayLanes } from './replay-lanes';
import type { TableComparison } from './view-comparison';
import { carryOverActivity, compareTable, isIdentical } from './view-comparison';
import type { ViewTable } from './view-tables';
import { cloneIndexes, cloneTables, ident, qualified, viewTablesOf } from './view-tables';

/** Where the fresh tables are built; dropped at the end unless swapped in. */
export const REBUILD_SCHEMA = 'projection_rebuild';
/** Where a swap keeps the tables it replaced, until the next swap. */
export const BACKUP_SCHEMA = 'projection_backup';

const DEFAULT_BATCH_SIZE = 5_000;
/**
 * Replay connections: while Postgres runs one connection's round trip, the client gathers the
 * next for another. Two keep both busy on a small machine; more only add lock and WAL contention.
 */
const REPLAY_CONNECTIONS = 2;
/** A rebuild that cannot stop appends this soon gives up rather than queue the API behind it. */
const LOCK_TIMEOUT = '10s';

export class RebuildInProgress extends Error {
  constructor() {
    super('another projection rebuild is running on this database');
    this.name = 'RebuildInProgress';
  }
}

const positionOf = (event: RecordedEvent): FeedPosition => ({
  transactionId: event.transactionId,
  globalPosition: event.globalPosition,
});

async function inTransaction<T>(runner: QueryRunner, work: () => Promise<T>): Promise<T> {
  await runner.startTransaction();
  try {
    const result = await work();
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  }
}

/**
 * Rebuilds every read model from the events (issue 6 §3): fresh copies of the `*_view` tables in
 * `REBUILD_SCHEMA` are filled by the same inline projections the appends run, reached through the
 * search path, while writers keep appending. Then one short transaction stops appends, applies
 * the last events, compares the copies with the live tables row by row and, if asked, swaps them
 * in by moving schemas, which keeps every table, constraint and index name.
 */
export class ProjectionRebuild {
  constructor(
    private readonly dataSource: DataSource,
    /** Reads and upcasts the feed; its own projections are not used. */
    private readonly store: PostgresEventStore,
    private readonly projections: readonly InlineProjection[],
  ) {}

  async run(options: RebuildOptions = {}): Promise<RebuildReport> {
    const control = this.dataSource.createQueryRunner();
    await control.connect();
    const sql = sqlExecutorOf(control);
    try {
      const [lock] = await sql.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [AdvisoryLock.projectionRebuild],
      );
      if (!lock?.locked) throw new RebuildInProgress();
      try {
        return await this.rebuild(control, options);
      } finally {
        await sql.query(`DROP SCHEMA IF EXISTS ${ident(REBUILD_SCHEMA)} CASCADE`);
        await sql.query('SELECT pg_advisory_unlock($1)', [AdvisoryLock.projectionRebuild]);
      }
    } finally {
      await control.release();
    }
  }

  private async rebuild(control: QueryRunner, options: RebuildOptions): Promise<RebuildReport> {
    const sql = sqlExecutorOf(control);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const [schema] = await sql.query<{ name: string }>('SELECT current_schema() AS name');
    const live = schema?.name ?? 'public';
    const tables = await viewTablesOf(sql, live);
    const started = performance.now();

    await sql.query(`DROP SCHEMA IF EXISTS ${ident(REBUILD_SCHEMA)} CASCADE`);
    await inTransaction(control, async () => {
      await cloneTables(sql, tables, live, REBUILD_SCHEMA);
      await cloneIndexes(sql, tables, live, REBUILD_SCHEMA, 'unique');
    });
    const caughtUp = await this.replayCommitted(sql, batchSize, options.onProgress);
    await cloneIndexes(sql, tables, live, REBUILD_SCHEMA, 'non-unique');

    const final = await inTransaction(control, () =>
      this.finish(control, tables, live, caughtUp.position, batchSize, options),
    );
    const seconds = (performance.now() - started) / 1000;
    const events = caughtUp.events + final.events;
    return {
      events,
      seconds,
      eventsPerSecond: seconds > 0 ? events / seconds : 0,
      appendsStoppedMs: final.appendsStoppedMs,
      tables: final.tables,
      identical: final.tables.every(isIdentical),
      swapped: final.swapped,
      ...(final.swapped && !options.dropOld ? { backupSchema: BACKUP_SCHEMA } : {}),
    };
  }

  /**
   * Replays the committed feed into the copies while appends go on, a batch at a time, on
   * connections of their own whose search path is the rebuild schema. A batch's lanes run side by
   * side, shared out over the connections, one transaction each: while Postgres runs one
   * connection's statements, the next ones are gathered for another. The next batch is read
   * meanwhile.
   */
  private async replayCommitted(
    reader: SqlExecutor,
    batchSize: number,
    onProgress: RebuildOptions['onProgress'],
  ): Promise<{ position: FeedPosition; events: number }> {
    const connections = Array.from(
      { length: REPLAY_CONNECTIONS },
      () =>
        new CoalescingConnection({
          connectionString: this.databaseUrl(),
          application_name: 'cls-rebuild',
          options: `-c search_path=${REBUILD_SCHEMA}`,
        }),
    );
    const lanes = new ReplayLanes();
    let position = FEED_START;
    let events = 0;
    let next: Promise<RecordedEvent[]> | undefined;
    try {
      await Promise.all(connections.map((connection) => connection.connect()));
      next = this.store.readFeed(position, batchSize, reader);
      while (next) {
        const batch: RecordedEvent[] = await next;
        const last = batch.at(-1);
        if (!last) break;
        position = positionOf(last);
        next =
          batch.length < batchSize ? undefined : this.store.readFeed(position, batchSize, reader);
        await this.replayBatch(connections, lanes.split(batch));
        events += batch.length;
        onProgress?.(events);
      }
      return { position, events };
    } finally {
      await next?.catch(() => undefined);
      await Promise.all(connections.map((connection) => connection.end()));
    }
  }

  private async replayBatch(
    connections: readonly CoalescingConnection[],
    lanes: readonly (readonly RecordedEvent[])[],
  ): Promise<void> {
    const outcomes = await Promise.allSettled(
      connections.map((connection, index) =>
        this.replayLanes(
          connection,
          lanes.filter((_, lane) => lane % connections.length === index),
        ),
      ),
    );
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Lanes are independent: rows of two lanes never meet under a constraint (see ReplayLanes). */
  private async replayLanes(
    connection: CoalescingConnection,
    lanes: readonly (readonly RecordedEvent[])[],
  ): Promise<void> {
    await connection.run('BEGIN');
    // Durable enough: nothing reads the copies before the final, synchronous commit.
    await connection.run('SET LOCAL synchronous_commit TO off');
    const outcomes = await Promise.allSettled(
      lanes.map(async (lane) => {
        for (const event of lane)
          await applyInlineProjections(this.projections, connection.sql, event);
      }),
    );
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) {
      await connection.run('ROLLBACK');
      throw failed.reason;
    }
    await connection.run('COMMIT');
  }

  /** The replay opens its own connections to the DataSource's database. */
  private databaseUrl(): string {
    const { url } = this.dataSource.options as PostgresDataSourceOptions;
    if (!url) throw new Error('a projection rebuild needs a DataSource configured with a url');
    return url;
  }

  /**
   * The one transaction that holds appends off: waits for running appends to commit (the lock
   * conflicts with their inserts), applies what they wrote, carries the activity columns over,
   * compares and swaps. Locks `events` first, the views after, like an append does, so it cannot
   * deadlock with one.
   */
  private async finish(
    control: QueryRunner,
    tables: readonly ViewTable[],
    live: string,
    after: FeedPosition,
    batchSize: number,
    options: RebuildOptions,
  ): Promise<{
    events: number;
    appendsStoppedMs: number;
    tables: TableComparison[];
    swapped: boolean;
  }> {
    const sql = sqlExecutorOf(control);
    const liveTables = tables.map((table) => qualified(live, table.name)).join(', ');
    await sql.query(`SET LOCAL lock_timeout TO '${LOCK_TIMEOUT}'`);
    await sql.query(`LOCK TABLE ${qualified(live, 'events')} IN EXCLUSIVE MODE`);
    const stopped = performance.now();
    // Activity writes (expiry, bytes served) wait too, so the carried-over values are final.
    await sql.query(`LOCK TABLE ${liveTables} IN SHARE MODE`);

    let position = after;
    let events = 0;
    for (;;) {
      await sql.query(`SET LOCAL search_path TO ${ident(live)}`);
      const batch = await this.store.readFeedWhileAppendsStopped(position, batchSize, sql);
      const last = batch.at(-1);
      if (!last) break;
      await sql.query(`SET LOCAL search_path TO ${ident(REBUILD_SCHEMA)}`);
      for (const event of batch) await applyInlineProjections(this.projections, sql, event);
      position = positionOf(last);
      events += batch.length;
    }
    await sql.query(`SET LOCAL search_path TO ${ident(live)}`);

    const comparisons: TableComparison[] = [];
    for (const table of tables) {
      await carryOverActivity(sql, table, live, REBUILD_SCHEMA);
      comparisons.push(await compareTable(sql, table, live, REBUILD_SCHEMA));
    }
    const swapped =
      Boolean(options.swap) && (comparisons.every(isIdentical) || Boolean(options.force));
    if (swapped) await this.swap(sql, tables, live, Boolean(options.dropOld));
    return {
      events,
      appendsStoppedMs: performance.now() - stopped,
      tables: comparisons,
      swapped,
    };
  }

  /** Moves the live tables out and the copies in; names, constraints and indexes move with them. */
  private async swap(
    sql: SqlExecutor,
    tables: readonly ViewTable[],
    live: string,
    dropOld: boolean,
  ): Promise<void> {
    await sql.query(
      `LOCK TABLE ${tables.map((table) => qualified(live, table.name)).join(', ')} IN ACCESS EXCLUSIVE MODE`,
    );
    await sql.query(`DROP SCHEMA IF EXISTS ${ident(BACKUP_SCHEMA)} CASCADE`);
    await sql.query(`CREATE SCHEMA ${ident(BACKUP_SCHEMA)}`);
    for (const table of tables) {
      await sql.query(
        `ALTER TABLE ${qualified(live, table.name)} SET SCHEMA ${ident(BACKUP_SCHEMA)}`,
      );
    }
    for (const table of tables) {
      await sql.query(
        `ALTER TABLE ${qualified(REBUILD_SCHEMA, table.name)} SET SCHEMA ${ident(live)}`,
      );
    }
    if (dropOld) await sql.query(`DROP SCHEMA ${ident(BACKUP_SCHEMA)} CASCADE`);
  }
}
