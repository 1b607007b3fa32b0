import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import type { AuthenticatedCaller } from '@cls/access';
import type { EventMetadata, FeedPosition } from '@cls/event-store';
import { EventTypeRegistry, FEED_START, PostgresEventStore } from '@cls/event-store';
import type { TestDatabase } from '@cls/testing';
import { createTestDatabase, eventually } from '@cls/testing';

import { EventHistoryQueries } from './event-history.queries';

const auditor: AuthenticatedCaller = {
  user: 'carol',
  isAdmin: false,
  grants: [{ privilege: 'Cls.Audit' }],
};
const registry = new EventTypeRegistry().register('Counted');
const metadata = (actor: string): EventMetadata => ({
  actor,
  correlationId: 'corr',
  causationId: 'cause',
  commandType: 'Count',
});

describe('the audit query (real Postgres)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;
  let history: EventHistoryQueries;

  beforeAll(async () => {
    database = await createTestDatabase('event_history');
    dataSource = await database.open();
    store = new PostgresEventStore(dataSource, registry, []);
    history = new EventHistoryQueries(dataSource, store);
  });

  afterAll(() => database.drop());

  const count = (streamId: string, actor: string, n: number) =>
    store.append(
      [
        {
          streamId,
          streamType: 'test',
          expectedVersion: 'any',
          events: [{ type: 'Counted', data: { n } }],
        },
      ],
      metadata(actor),
    );

  it('pages read while writers append cover the events table exactly: none skipped, none repeated', async () => {
    let writing = true;
    let written = 0;
    // Four writers whose transactions commit out of position order: the hard case for paging.
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let n = 0; writing; n += 1) {
        await count(`test-${randomUUID()}`, `writer-${writer}`, n);
        written += 1;
      }
    });
    const seen: string[] = [];
    let position: FeedPosition = FEED_START;
    const readPage = async (): Promise<number> => {
      const page = await history.audit(auditor, {}, position, 7);
      seen.push(...page.events.map((event) => event.eventId));
      position = page.next;
      return page.events.length;
    };
    while (written < 400) await readPage();
    writing = false;
    await Promise.all(writers);
    const all = await dataSource.query<{ event_id: string }[]>('SELECT event_id FROM events');
    expect(all.length).toBeGreaterThanOrEqual(400);
    // An event shows once every older transaction of the cluster has ended: keep paging until then.
    await eventually(
      async () => {
        await readPage();
        return seen.length;
      },
      (count) => count >= all.length,
      { what: 'every committed event paged' },
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(all.map((row) => row.event_id).sort());
  });

  it('filters by actor and time range, and an injected filter is only a value', async () => {
    const stream = `test-${randomUUID()}`;
    const before = new Date();
    await count(stream, 'dave', 1);
    await count(stream, "dave' OR '1'='1", 2);
    const mine = await eventually(
      () => history.audit(auditor, { user: 'dave', from: before }, FEED_START, 100),
      (page) => page.events.length > 0,
      { what: "dave's event visible" },
    );
    expect(mine.events.map((event) => event.data)).toEqual([{ n: 1 }]);
    const injected = await history.audit(auditor, { user: "x' OR '1'='1" }, FEED_START, 100);
    expect(injected.events).toEqual([]);
    const none = await history.audit(auditor, { user: 'dave', to: before }, FEED_START, 100);
    expect(none.events).toEqual([]);
  });

  it('needs Cls.Audit', async () => {
    const reader: AuthenticatedCaller = { user: 'erin', isAdmin: false, grants: [] };
    await expect(history.audit(reader, {}, FEED_START, 10)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });
});
