import { loadavg } from 'node:os';

import type { DataSource } from 'typeorm';

import { INLINE_PROJECTIONS, ProjectionRebuild } from '@cls/projections';
import type { FeedPosition } from '@cls/event-store';
import { FEED_START, PostgresEventStore, sqlExecutorOf } from '@cls/event-store';
import { createEventTypeRegistry } from '@cls/sessions';
import { createTestDatabase } from '@cls/testing';

import {
  DEFAULT_FOLD_THREADS,
  REBUILD_FOLD_THREAD,
} from '../apps/cli/src/commands/rebuild.command';

import type { Figure } from './figure';
import { formatNumber } from './figure';
import { seedEvents } from './rebuild-seed';

export interface RebuildBenchOptions {
  readonly events: number;
}

const TARGET_EVENTS_PER_SECOND = 60_000;
/** The rebuild's default; passed to it explicitly so that the raw replay reads the same batches. */
const BATCH_SIZE = 5_000;

interface RawReplay {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/**
 * The floor of a replay in this process: the whole feed read as the rebuild reads it (committed
 * order, same batches, on one connection) and decoded, upcasts included, with nothing applied.
 */
async function rawReplay(dataSource: DataSource, store: PostgresEventStore): Promise<RawReplay> {
  const reader = dataSource.createQueryRunner();
  await reader.connect();
  try {
    const sql = sqlExecutorOf(reader);
    const started = performance.now();
    let position: FeedPosition = FEED_START;
    let events = 0;
    for (;;) {
      const batch = await store.readFeed(position, BATCH_SIZE, sql);
      const last = batch.at(-1);
      if (!last) break;
      position = last;
      events += batch.length;
      // Like the rebuild: a short batch is the end of the feed, no query to find it empty.
      if (batch.length < BATCH_SIZE) break;
    }
    const seconds = (performance.now() - started) / 1000;
    return { events, seconds, eventsPerSecond: events / seconds };
  } finally {
    await reader.release();
  }
}

/**
 * Events per second of a projection rebuild on a fresh database: seed the events, fill the live
 * views with a first rebuild (swapped in, since they start empty), then time a raw replay of the
 * feed and right after it a second rebuild that replays everything, compares with the live views
 * and swaps. Both read the same warm table at the same moment of a shared machine, so their ratio
 * says what the projections cost over reading and decoding.
 */
export async function benchRebuild(options: RebuildBenchOptions): Promise<Record<string, unknown>> {
  const database = await createTestDatabase('bench_rebuild');
  try {
    const dataSource = await database.open();
    const seedStarted = performance.now();
    const events = await seedEvents(dataSource, options.events);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    await dataSource.query('VACUUM ANALYZE events');
    const store = new PostgresEventStore(dataSource, createEventTypeRegistry(), []);
    // As `cls rebuild` runs it: the fold shared out to a thread per core.
    const rebuild = new ProjectionRebuild(dataSource, store, INLINE_PROJECTIONS, {
      partitions: DEFAULT_FOLD_THREADS,
      threadScript: REBUILD_FOLD_THREAD,
    });
    const first = await rebuild.run({
      swap: true,
      force: true,
      dropOld: true,
      batchSize: BATCH_SIZE,
    });
    const loadAverage = loadavg()[0];
    const raw = await rawReplay(dataSource, store);
    const cpuBefore = process.cpuUsage();
    const report = await rebuild.run({ swap: true, dropOld: true, batchSize: BATCH_SIZE });
    const cpu = process.cpuUsage(cpuBefore);
    if (!report.identical) throw new Error('the second rebuild differs from the first');
    if (raw.events !== report.events) {
      throw new Error(`the raw replay read ${raw.events} events, the rebuild ${report.events}`);
    }
    return {
      events,
      seedSeconds,
      firstRebuild: { seconds: first.seconds, eventsPerSecond: first.eventsPerSecond },
      rawReplay: { seconds: raw.seconds, eventsPerSecond: raw.eventsPerSecond },
      seconds: report.seconds,
      eventsPerSecond: report.eventsPerSecond,
      appendsStoppedMs: report.appendsStoppedMs,
      foldThreads: report.foldPartitions,
      phaseSeconds: report.phaseSeconds,
      // The machine is shared: its load and this process's own CPU per event put the figure in context.
      loadAverageAtStart: loadAverage,
      benchProcessCpuMicrosecondsPerEvent: (cpu.user + cpu.system) / report.events,
      figures: [
        {
          name: `projection rebuild (${report.events} events)`,
          value: report.eventsPerSecond,
          unit: 'events/s',
          baseline: `raw replay (read + decode, one thread) ${formatNumber(raw.eventsPerSecond)} events/s; first rebuild into empty views ${formatNumber(first.eventsPerSecond)} events/s; fold on ${report.foldPartitions} threads`,
          target: { atLeast: TARGET_EVENTS_PER_SECOND },
        },
        {
          name: 'projection rebuild ÷ raw replay (read + decode)',
          value: report.eventsPerSecond / raw.eventsPerSecond,
          unit: '×',
          target: { atLeast: 0.5 },
        },
        {
          name: "appends held during the rebuild's swap",
          value: report.appendsStoppedMs,
          unit: 'ms',
          target: { atMost: 1000 },
        },
      ] satisfies Figure[],
      rows: Object.fromEntries(report.tables.map((table) => [table.table, table.liveRows])),
    };
  } finally {
    await database.drop();
  }
}
