import { performance } from 'node:perf_hooks';

import type { DataSource, QueryRunner } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';

import type { Client } from 'pg';

import type {
  EventRowText,
  FeedPosition,
  FeedTextPage,
  InlineProjection,
  PostgresEventStore,
  RecordedEvent,
  SqlExecutor,
} from '@cls/event-store';
import { AdvisoryLock } from '@cls/database';
import {
  applyRowChanges,
  FEED_START,
  FeedTextColumns,
  readFeedText,
  rowChangesOf,
  sqlExecutorOf,
  sqlIdentifier,
} from '@cls/event-store';

import { BulkConnections, openConnection } from './bulk-connections';
import type { CopyTarget, FoldPartition } from './fold-partitions';
import { LocalFoldPartition, partitionOf, ThreadFoldPartition } from './fold-partitions';
import type { FoldOptions, RebuildOptions, RebuildPhase, RebuildReport } from './rebuild-report';
import { TouchedGroups } from './row-images';
import type { GroupedComparison, TableComparison } from './view-comparison';
import { carryOverActivity, compareTable, isIdentical } from './view-comparison';
import type { ViewTable } from './view-tables';
import { cloneTables, constraintStatementsOf, qualified, viewTablesOf } from './view-tables';

/** Where the fresh tables are built; dropped at the end unless swapped in. */
export const REBUILD_SCHEMA = 'projection_rebuild';
/** Where a swap keeps the tables it replaced, until the next swap. */
export const BACKUP_SCHEMA = 'projection_backup';

const DEFAULT_BATCH_SIZE = 5_000;
/** Pages given to the fold's partitions and not folded yet: enough to keep them busy, no more. */
const PAGES_IN_FLIGHT = 4;
/** A rebuild that cannot stop appends this soon gives up rather than queue the API behind it. */
const LOCK_TIMEOUT = '10s';

export class RebuildInProgress extends Error {
  constructor() {
    super('another projection rebuild is running on this database');
    this.name = 'RebuildInProgress';
  }
}

/** Seconds spent in each phase, for the report. */
class PhaseClock {
  readonly seconds: Partial<Record<RebuildPhase, number>> = {};
  private last = performance.now();

  end(phase: RebuildPhase): void {
    const now = performance.now();
    this.seconds[phase] = (now - this.last) / 1000;
    this.last = now;
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
 * Rebuilds every read model from the events: the committed feed is folded into rows in memory by
 * the projections' own `RowChange`s (the ones appends run as SQL), while writers keep appending;
 * the rows go with one COPY per table into fresh copies of the `*_view` tables in
 * `REBUILD_SCHEMA`, which get their constraints and indexes after. Then one short transaction
 * stops appends, applies the last events as SQL, compares the copies with the live tables row by
 * row and, if asked, swaps them in by moving schemas, which keeps every table, constraint and
 * index name.
 */
export class ProjectionRebuild {
  constructor(
    private readonly dataSource: DataSource,
    /** Reads and upcasts the feed; its own projections are not used. */
    private readonly store: PostgresEventStore,
    private readonly projections: readonly InlineProjection[],
    private readonly folding: FoldOptions = {},
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
        await sql.query(`DROP SCHEMA IF EXISTS ${sqlIdentifier(REBUILD_SCHEMA)} CASCADE`);
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

    const phases = new PhaseClock();

    await sql.query(`DROP SCHEMA IF EXISTS ${sqlIdentifier(REBUILD_SCHEMA)} CASCADE`);
    await cloneTables(sql, tables, live, REBUILD_SCHEMA);
    const url = this.databaseUrl();
    const partitions = this.openPartitions({ url, schema: REBUILD_SCHEMA, tables });
    let caughtUp: { position: FeedPosition; events: number };
    try {
      const reader = await openConnection(url, live);
      try {
        caughtUp = await this.foldCommitted(reader, partitions, batchSize, options.onProgress);
      } finally {
        await reader.end();
      }
      phases.end('fold');
      await Promise.all(partitions.map((partition) => partition.copy()));
      phases.end('copy');
    } finally {
      await Promise.all(partitions.map((partition) => partition.close()));
    }

    const bulk = await BulkConnections.open(url, REBUILD_SCHEMA);
    let compared: Map<string, GroupedComparison>;
    try {
      const statements = await inTransaction(control, () =>
        constraintStatementsOf(sql, tables, live, REBUILD_SCHEMA),
      );
      await bulk.run(statements.keysAndIndexes);
      await bulk.run(statements.foreignKeys);
      phases.end('index');
      // Compared while appends go on; once they stop, only the groups that differed or that the
      // last events touched need comparing again.
      const comparisons = await bulk.each(tables, (table, _, bulkSql) =>
        compareTable(bulkSql, table, live, REBUILD_SCHEMA),
      );
      compared = new Map(comparisons.map((grouped) => [grouped.comparison.table, grouped]));
      phases.end('compare');
    } finally {
      await bulk.close();
    }

    const final = await inTransaction(control, () =>
      this.finish(control, tables, live, caughtUp.position, compared, batchSize, options),
    );
    phases.end('finish');
    const seconds = (performance.now() - started) / 1000;
    const events = caughtUp.events + final.events;
    return {
      events,
      seconds,
      eventsPerSecond: seconds > 0 ? events / seconds : 0,
      appendsStoppedMs: final.appendsStoppedMs,
      phaseSeconds: phases.seconds,
      foldPartitions: partitions.length,
      foldThreads: this.folding.threadScript !== undefined,
      tables: final.tables,
      identical: final.tables.every(isIdentical),
      swapped: final.swapped,
      ...(final.swapped && !options.dropOld ? { backupSchema: BACKUP_SCHEMA } : {}),
    };
  }

  /** The fold's partitions: threads running the configured script, or this thread. */
  private openPartitions(target: CopyTarget): FoldPartition[] {
    const { threadScript, partitions: count = 1 } = this.folding;
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`a rebuild folds in 1 or more partitions, not ${count}`);
    return Array.from({ length: count }, () =>
      threadScript === undefined
        ? new LocalFoldPartition(target, (row) => this.store.decode(row), this.projections)
        : new ThreadFoldPartition(threadScript, target),
    );
  }

  /**
   * Folds the committed feed while appends go on, a page at a time: the reader only routes each
   * row, as text, by its stream to a partition, which parses and folds it. The next page is read
   * while the partitions fold, with a few pages at most waiting for them.
   */
  private async foldCommitted(
    reader: Client,
    partitions: readonly FoldPartition[],
    batchSize: number,
    onProgress: RebuildOptions['onProgress'],
  ): Promise<{ position: FeedPosition; events: number }> {
    let position = FEED_START;
    let events = 0;
    let next: Promise<FeedTextPage> | undefined = readFeedText(reader, position, batchSize);
    const folding: Promise<unknown>[] = [];
    try {
      while (next) {
        const page: FeedTextPage = await next;
        const last = page.rows.at(-1);
        if (!last) break;
        const columns = new FeedTextColumns(page.fields);
        position = columns.positionOf(last);
        // A short page is the end of the feed: no query to find the next one empty.
        next = page.rows.length < batchSize ? undefined : readFeedText(reader, position, batchSize);
        const shares = partitions.map((): EventRowText[] => []);
        for (const row of page.rows)
          shares[partitionOf(columns.streamIdOf(row), partitions.length)]!.push(row);
        const folded = Promise.all(
          partitions.map((partition, at) =>
            partition.fold({ fields: page.fields, rows: shares[at]! }),
          ),
        );
        // A failure surfaces when this page is awaited, not as unhandled in the meantime.
        folded.catch(() => undefined);
        folding.push(folded);
        if (folding.length >= PAGES_IN_FLIGHT) await folding.shift();
        events += page.rows.length;
        onProgress?.(events);
      }
      await Promise.all(folding);
      return { position, events };
    } finally {
      await next?.catch(() => undefined);
      await Promise.allSettled(folding);
    }
  }

  /** The bulk work opens its own connections to the DataSource's database. */
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
    compared: ReadonlyMap<string, GroupedComparison>,
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
    const touched = new TouchedGroups();
    for (;;) {
      await sql.query(`SET LOCAL search_path TO ${sqlIdentifier(live)}`);
      const batch = await this.store.readFeedWhileAppendsStopped(position, batchSize, sql);
      const last = batch.at(-1);
      if (!last) break;
      await sql.query(`SET LOCAL search_path TO ${sqlIdentifier(REBUILD_SCHEMA)}`);
      for (const event of batch) {
        const changes = rowChangesOf(this.projections, event);
        touched.note(changes);
        await applyRowChanges(sql, changes);
      }
      position = positionOf(last);
      events += batch.length;
    }
    await sql.query(`SET LOCAL search_path TO ${sqlIdentifier(live)}`);

    const comparisons: TableComparison[] = [];
    for (const table of tables) {
      await carryOverActivity(sql, table, live, REBUILD_SCHEMA);
      const before = compared.get(table.name)?.differingGroups;
      const again =
        before === undefined
          ? await compareTable(sql, table, live, REBUILD_SCHEMA)
          : await compareTable(sql, table, live, REBUILD_SCHEMA, [
              ...new Set([...before, ...touched.of(table.name)]),
            ]);
      comparisons.push(again.comparison);
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
    await sql.query(`DROP SCHEMA IF EXISTS ${sqlIdentifier(BACKUP_SCHEMA)} CASCADE`);
    await sql.query(`CREATE SCHEMA ${sqlIdentifier(BACKUP_SCHEMA)}`);
    for (const table of tables) {
      await sql.query(
        `ALTER TABLE ${qualified(live, table.name)} SET SCHEMA ${sqlIdentifier(BACKUP_SCHEMA)}`,
      );
    }
    for (const table of tables) {
      await sql.query(
        `ALTER TABLE ${qualified(REBUILD_SCHEMA, table.name)} SET SCHEMA ${sqlIdentifier(live)}`,
      );
    }
    if (dropOld) await sql.query(`DROP SCHEMA ${sqlIdentifier(BACKUP_SCHEMA)} CASCADE`);
  }
}
