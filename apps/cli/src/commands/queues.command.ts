import { parseArgs } from 'node:util';

import type { FailedJob, QueueDepth } from '@cls/jobs';
import { inspectQueues } from '@cls/jobs';

import type { CliCommand } from '../cli-command';
import { EXIT, UsageError } from '../cli-command';
import type { Column } from '../text-table';
import { renderTable } from '../text-table';

const DEFAULT_FAILED = 10;

const DEPTH_COLUMNS: readonly Column<QueueDepth>[] = [
  { header: 'queue', value: (row) => row.queue },
  { header: 'waiting', value: (row) => row.waiting, align: 'right' },
  { header: 'active', value: (row) => row.active, align: 'right' },
  { header: 'delayed', value: (row) => row.delayed, align: 'right' },
  { header: 'failed', value: (row) => row.failed, align: 'right' },
  { header: 'completed', value: (row) => row.completed, align: 'right' },
];

const FAILED_COLUMNS: readonly Column<FailedJob>[] = [
  { header: 'failed at', value: (row) => row.failedAt?.toISOString() },
  { header: 'queue', value: (row) => row.queue },
  { header: 'job', value: (row) => row.name },
  { header: 'id', value: (row) => row.id },
  { header: 'attempts', value: (row) => row.attempts, align: 'right' },
  { header: 'reason', value: (row) => row.reason },
];

/** `queues`: depth of every BullMQ queue by state, and the last failed jobs. */
export const queuesCommand: CliCommand = {
  usage: 'queues [--failed <n>] [--json]',
  summary: `depth of each job queue by state, and the last failed jobs with their reason (${DEFAULT_FAILED} unless --failed)`,
  async run(argv, context) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        failed: { type: 'string', default: String(DEFAULT_FAILED) },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    const failed = Number(values.failed);
    if (!Number.isInteger(failed) || failed < 1) {
      throw new UsageError('--failed must be a positive integer');
    }
    const overview = await inspectQueues(context.config, failed);
    if (values.json) {
      context.printJson(overview);
      return EXIT.ok;
    }
    context.print(renderTable(DEPTH_COLUMNS, overview.depths));
    context.print('');
    context.print(
      overview.lastFailed.length > 0
        ? renderTable(FAILED_COLUMNS, overview.lastFailed)
        : 'no failed jobs',
    );
    return EXIT.ok;
  },
};
