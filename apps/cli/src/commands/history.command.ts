import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

import type { AuthenticatedCaller } from '@cls/access';
import { NotFound } from '@cls/domain';
import type { RecordedEvent } from '@cls/event-store';
import { PostgresEventStore, streamIdOf } from '@cls/event-store';
import type { SessionStreamType } from '@cls/sessions';
import { createEventTypeRegistry, EventHistoryQueries, historyEntryOf } from '@cls/sessions';

import type { CliCommand } from '../cli-command';
import { EXIT, UsageError } from '../cli-command';
import type { Column } from '../text-table';
import { renderTable } from '../text-table';

/** Whoever holds the database credentials reads every history, as an administrator would. */
const OPERATOR: AuthenticatedCaller = { user: 'cls-cli', isAdmin: true, grants: [] };
const FOLLOW_POLL_MS = 1_000;

const EVENT_COLUMNS: readonly Column<RecordedEvent>[] = [
  { header: 'time', value: (event) => event.recordedAt.toISOString() },
  { header: 'v', value: (event) => event.streamVersion, align: 'right' },
  { header: 'type', value: (event) => event.type },
  { header: 'actor', value: (event) => event.metadata.actor },
  { header: 'correlation', value: (event) => event.metadata.correlationId },
];

/** `history <session-id> [--follow] [--json]`: the audit trail of one session, from the events. */
export const historyCommand: CliCommand = {
  usage: 'history <session-id> [--follow] [--json]',
  summary:
    "an update or download session's events, oldest first (served after its view is purged); --follow keeps printing new ones until interrupted",
  async run(argv, context) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: {
        follow: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
    const [sessionId, ...rest] = positionals;
    if (sessionId === undefined || rest.length > 0) throw new UsageError('expected one session id');
    const db = await context.dataSource();
    const store = new PostgresEventStore(db, createEventTypeRegistry(), []);
    const history = new EventHistoryQueries(db, store);
    let found: { type: SessionStreamType; events: readonly RecordedEvent[] } | undefined;
    for (const type of ['update_session', 'download_session'] as const) {
      const events = await history.sessionHistory(OPERATOR, type, sessionId).catch((error) => {
        if (error instanceof NotFound) return undefined;
        throw error;
      });
      if (events) {
        found = { type, events };
        break;
      }
    }
    if (!found) {
      context.warn(`no update or download session ${sessionId}`);
      return EXIT.attention;
    }
    const print = (events: readonly RecordedEvent[], header: boolean): void => {
      if (events.length === 0) return;
      if (values.json)
        for (const event of events) context.print(JSON.stringify(historyEntryOf(event)));
      else {
        const table = renderTable(EVENT_COLUMNS, events).split('\n');
        context.print((header ? table : table.slice(1)).join('\n'));
      }
    };
    print(found.events, true);
    let version = found.events.at(-1)?.streamVersion ?? 0;
    while (values.follow) {
      await sleep(FOLLOW_POLL_MS);
      const slice = await store.readStream(streamIdOf(found.type, sessionId), version);
      print(slice.events, false);
      version = slice.version;
    }
    return EXIT.ok;
  },
};
