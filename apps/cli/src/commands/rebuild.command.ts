import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { PostgresEventStore } from '@cls/event-store';
import type { TableComparison } from '@cls/projections';
import { INLINE_PROJECTIONS, isIdentical, ProjectionRebuild } from '@cls/projections';
import { createEventTypeRegistry } from '@cls/sessions';

import type { CliCommand } from '../cli-command';
import { EXIT, UsageError } from '../cli-command';
import { renderTable } from '../text-table';

/** The script of the fold's threads, beside this file once built. */
export const REBUILD_FOLD_THREAD = join(__dirname, 'rebuild-fold.thread.js');

/** Fold threads by default: one per core, up to four (the reader and Postgres need some too). */
export const DEFAULT_FOLD_THREADS = Math.min(4, availableParallelism());

/** Progress goes to stderr every this many events. */
const PROGRESS_EVERY = 100_000;

const TABLE_COLUMNS = [
  { header: 'table', value: (row: TableComparison) => row.table },
  { header: 'live', value: (row: TableComparison) => row.liveRows, align: 'right' },
  { header: 'rebuilt', value: (row: TableComparison) => row.rebuiltRows, align: 'right' },
  { header: 'missing', value: (row: TableComparison) => row.missing, align: 'right' },
  { header: 'extra', value: (row: TableComparison) => row.extra, align: 'right' },
  { header: 'different', value: (row: TableComparison) => row.different, align: 'right' },
  {
    header: 'e.g.',
    value: (row: TableComparison) => (isIdentical(row) ? '' : row.sampleKeys.join(' ')),
  },
] as const;

/** `rebuild`: replays every event into fresh views, compares them with the live ones, swaps if asked. */
export const rebuildCommand: CliCommand = {
  usage: 'rebuild [--swap] [--force] [--drop-old] [--threads N] [--json]',
  summary:
    'replay all events into fresh views and compare them with the live ones; --swap puts them in ' +
    'place if identical (--force: even if not); the old tables stay in schema projection_backup ' +
    'unless --drop-old; the events are folded on --threads threads (one per core, up to 4)',
  async run(argv, context) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        swap: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'drop-old': { type: 'boolean', default: false },
        threads: { type: 'string', default: String(DEFAULT_FOLD_THREADS) },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    const threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1)
      throw new UsageError('--threads must be a positive integer');
    const dataSource = await context.dataSource();
    const rebuild = new ProjectionRebuild(
      dataSource,
      new PostgresEventStore(dataSource, createEventTypeRegistry(), []),
      INLINE_PROJECTIONS,
      { partitions: threads, threadScript: REBUILD_FOLD_THREAD },
    );
    let reported = 0;
    const report = await rebuild.run({
      swap: values.swap,
      force: values.force,
      dropOld: values['drop-old'],
      onProgress: (events) => {
        if (values.json || events - reported < PROGRESS_EVERY) return;
        reported = events;
        context.warn(`replayed ${events} events…`);
      },
    });
    if (values.json) {
      context.printJson(report);
    } else {
      context.print(
        `replayed ${report.events} events in ${report.seconds.toFixed(1)} s: ` +
          `${Math.round(report.eventsPerSecond)} events/s ` +
          `(${report.foldPartitions} fold threads; appends held off for ${Math.round(report.appendsStoppedMs)} ms)`,
      );
      context.print(renderTable(TABLE_COLUMNS, report.tables));
      context.print(
        `views ${report.identical ? 'identical' : 'DIFFER'}; ` +
          (report.swapped
            ? `swapped in${report.backupSchema ? `, old tables kept in schema ${report.backupSchema}` : ', old tables dropped'}`
            : values.swap
              ? 'swap refused (pass --force to swap anyway)'
              : 'not swapped (pass --swap)'),
      );
    }
    return report.identical || report.swapped ? EXIT.ok : EXIT.attention;
  },
};
