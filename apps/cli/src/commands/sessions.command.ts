import { parseArgs } from 'node:util';

import type { SessionFileSummary, SessionKind, SessionSummary } from '@cls/sessions';
import { SESSION_KINDS, SessionOverviewQueries } from '@cls/sessions';

import type { CliCommand } from '../cli-command';
import { EXIT, UsageError } from '../cli-command';
import type { Column } from '../text-table';
import { renderTable } from '../text-table';

const STATES = ['ACTIVE', 'DONE', 'ERROR', 'CANCELED'];
const DEFAULT_LIMIT = 100;

const SESSION_COLUMNS: readonly Column<SessionSummary>[] = [
  { header: 'id', value: (row) => row.id },
  { header: 'kind', value: (row) => row.kind },
  { header: 'state', value: (row) => row.state },
  { header: 'item', value: (row) => row.libraryItemId },
  { header: 'owner', value: (row) => row.owner },
  { header: 'progress', value: (row) => `${row.clientProgress}%`, align: 'right' },
  { header: 'files', value: (row) => row.fileCount, align: 'right' },
  { header: 'created', value: (row) => row.creationTime.toISOString() },
  { header: 'expires', value: (row) => row.expirationTime.toISOString() },
];

const FILE_COLUMNS: readonly Column<SessionFileSummary>[] = [
  { header: 'name', value: (row) => row.name },
  { header: 'status', value: (row) => row.status },
  { header: 'size', value: (row) => row.size, align: 'right' },
  { header: 'served', value: (row) => row.bytesTransferred, align: 'right' },
  { header: 'endpoint', value: (row) => row.endpoint },
  { header: 'error', value: (row) => row.error },
];

function isKind(value: string): value is SessionKind {
  return (SESSION_KINDS as readonly string[]).includes(value);
}

/** `sessions`: update and download sessions of every user, newest first. */
export const sessionsCommand: CliCommand = {
  usage: `sessions [--item <id>] [--state <${STATES.join('|')}>] [--kind <${SESSION_KINDS.join('|')}>] [--limit <n>] [--json]`,
  summary: `list sessions from the views, newest first (at most ${DEFAULT_LIMIT} unless --limit)`,
  async run(argv, context) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        item: { type: 'string' },
        state: { type: 'string' },
        kind: { type: 'string' },
        limit: { type: 'string', default: String(DEFAULT_LIMIT) },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    const state = values.state?.toUpperCase();
    if (state !== undefined && !STATES.includes(state)) {
      throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
    }
    if (values.kind !== undefined && !isKind(values.kind)) {
      throw new UsageError(`--kind must be one of ${SESSION_KINDS.join(', ')}`);
    }
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new UsageError('--limit must be a positive integer');
    const sessions = await new SessionOverviewQueries(await context.dataSource()).list({
      ...(values.item === undefined ? {} : { libraryItemId: values.item }),
      ...(state === undefined ? {} : { state }),
      ...(values.kind === undefined ? {} : { kind: values.kind }),
      limit,
    });
    if (values.json) context.printJson(sessions);
    else
      context.print(sessions.length > 0 ? renderTable(SESSION_COLUMNS, sessions) : 'no sessions');
    return EXIT.ok;
  },
};

/** `session <id>`: one update or download session with its files. */
export const sessionCommand: CliCommand = {
  usage: 'session <id> [--json]',
  summary: 'show one update or download session with its files',
  async run(argv, context) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { json: { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: true,
    });
    const [id, ...rest] = positionals;
    if (id === undefined || rest.length > 0) throw new UsageError('expected one session id');
    const session = await new SessionOverviewQueries(await context.dataSource()).get(id);
    if (!session) {
      context.warn(`no update or download session ${id}`);
      return EXIT.attention;
    }
    if (values.json) {
      context.printJson(session);
      return EXIT.ok;
    }
    const { files, ...summary } = session;
    context.print(renderTable(SESSION_COLUMNS, [summary]));
    if (session.error) context.print(`error: ${session.error}`);
    context.print('');
    context.print(files.length > 0 ? renderTable(FILE_COLUMNS, files) : 'no files');
    return EXIT.ok;
  },
};
