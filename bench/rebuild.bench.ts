import { loadavg } from 'node:os';

import { INLINE_PROJECTIONS, ProjectionRebuild } from '@cls/projections';
import { PostgresEventStore } from '@cls/event-store';
import { createEventTypeRegistry } from '@cls/sessions';
import { createTestDatabase } from '@cls/testing';

import type { Figure } from './figure';
import { formatNumber } from './figure';
import { seedEvents } from './rebuild-seed';

export interface RebuildBenchOptions {
  readonly events: number;
}

const TARGET_EVENTS_PER_SECOND = 20_000;

/**
 * Events per second of a projection rebuild on a fresh database: seed the events, fill the live
 * views with a first rebuild (swapped in, since they start empty), then time a second one that
 * replays everything, compares with the live views and swaps.
 */
export async function benchRebuild(options: RebuildBenchOptions): Promise<Record<string, unknown>> {
  const database = await createTestDatabase('bench_rebuild');
  try {
    const dataSource = await database.open();
    const seedStarted = performance.now();
    const events = await seedEvents(dataSource, options.events);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    await dataSource.query('VACUUM ANALYZE events');
    const rebuild = new ProjectionRebuild(
      dataSource,
      new PostgresEventStore(dataSource, createEventTypeRegistry(), []),
      INLINE_PROJECTIONS,
    );
    const first = await rebuild.run({ swap: true, force: true, dropOld: true });
    const loadAverage = loadavg()[0];
    const cpuBefore = process.cpuUsage();
    const report = await rebuild.run({ swap: true, dropOld: true });
    const cpu = process.cpuUsage(cpuBefore);
    if (!report.identical) throw new Error('the second rebuild differs from the first');
    return {
      events,
      seedSeconds,
      firstRebuild: { seconds: first.seconds, eventsPerSecond: first.eventsPerSecond },
      seconds: report.seconds,
      eventsPerSecond: report.eventsPerSecond,
      appendsStoppedMs: report.appendsStoppedMs,
      // The machine is shared: its load and this process's own CPU per event put the figure in context.
      loadAverageAtStart: loadAverage,
      benchProcessCpuMicrosecondsPerEvent: (cpu.user + cpu.system) / report.events,
      figures: [
        {
          name: `projection rebuild (${report.events} events)`,
          value: report.eventsPerSecond,
          unit: 'events/s',
          baseline: `first rebuild into empty views ${formatNumber(first.eventsPerSecond)} events/s; appends held ${formatNumber(report.appendsStoppedMs)} ms`,
          target: { atLeast: TARGET_EVENTS_PER_SECOND },
        },
      ] satisfies Figure[],
      rows: Object.fromEntries(report.tables.map((table) => [table.table, table.liveRows])),
    };
  } finally {
    await database.drop();
  }
}
