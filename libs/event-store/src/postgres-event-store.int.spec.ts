import { randomUUID } from 'node:crypto';

import { Client } from 'pg';
import type { DataSource } from 'typeorm';

import type { EventMetadata, InlineProjection, SqlExecutor } from '@cls/event-store';
import {
  DeciderCommandRunner,
  EventTypeRegistry,
  PostgresEventStore,
  VersionConflict,
} from '@cls/event-store';
import type { TestDatabase } from '@cls/testing';
import { createTestDatabase, eventually } from '@cls/testing';

const metadata: EventMetadata = {
  actor: 'alice',
  correlationId: 'corr-1',
  causationId: 'cmd-1',
  commandType: 'Test',
};
const registry = new EventTypeRegistry()
  .register('Counted')
  .register('Renamed', [(data) => ({ ...data, renamed: true })]);

const counted = (n: number) => ({ type: 'Counted', data: { n } });

describe('PostgresEventStore (real Postgres)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('event_store');
    dataSource = await database.open();
    store = new PostgresEventStore(dataSource, registry, []);
  });

  afterAll(() => database.drop());

  const streamId = () => `test-${randomUUID()}`;

  it('appends with versions 1..n, global positions and the metadata', async () => {
    const id = streamId();
    const recorded = await store.append(
      [
        {
          streamId: id,
          streamType: 'test',
          expectedVersion: 'no_stream',
          events: [counted(1), counted(2)],
        },
      ],
      metadata,
    );
    expect(recorded.map((event) => event.streamVersion)).toEqual([1, 2]);
    expect(recorded[1]!.globalPosition).toBeGreaterThan(recorded[0]!.globalPosition);
    const slice = await store.readStream(id);
    expect(slice.version).toBe(2);
    expect(slice.events.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(slice.events[0]!.metadata).toEqual(metadata);
    expect(slice.events[0]!.recordedAt).toBeInstanceOf(Date);
  });

  it('gives the events of several streams global positions in the order the plan lists them', async () => {
    const [a, b] = [streamId(), streamId()];
    await store.append(
      [{ streamId: b, streamType: 'test', expectedVersion: 'no_stream', events: [counted(0)] }],
      metadata,
    );
    const recorded = await store.append(
      [
        { streamId: b, streamType: 'test', expectedVersion: 1, events: [counted(1)] },
        { streamId: a, streamType: 'test', expectedVersion: 'no_stream', events: [counted(2)] },
        { streamId: b, streamType: 'test', expectedVersion: 2, events: [counted(3), counted(4)] },
      ],
      metadata,
    );
    expect(recorded.map((event) => [event.streamId, event.streamVersion])).toEqual([
      [b, 2],
      [a, 1],
      [b, 3],
      [b, 4],
    ]);
    const positions = recorded.map((event) => event.globalPosition);
    expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);
    expect(new Set(recorded.map((event) => event.transactionId)).size).toBe(1);
  });

  it('of two appends at the same expected version exactly one wins', async () => {
    const id = streamId();
    await store.append(
      [{ streamId: id, streamType: 'test', expectedVersion: 'no_stream', events: [counted(0)] }],
      metadata,
    );
    const results = await Promise.allSettled(
      Array.from({ length: 2 }, (_, index) =>
        store.append(
          [{ streamId: id, streamType: 'test', expectedVersion: 1, events: [counted(index + 1)] }],
          metadata,
        ),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(VersionConflict);
    expect((await store.readStream(id)).version).toBe(2);
  });

  it('refuses an append whose expected version is stale or ahead', async () => {
    const id = streamId();
    await store.append(
      [{ streamId: id, streamType: 'test', expectedVersion: 'no_stream', events: [counted(1)] }],
      metadata,
    );
    await expect(
      store.append(
        [{ streamId: id, streamType: 'test', expectedVersion: 'no_stream', events: [counted(2)] }],
        metadata,
      ),
    ).rejects.toBeInstanceOf(VersionConflict);
    await expect(
      store.append(
        [{ streamId: id, streamType: 'test', expectedVersion: 5, events: [counted(2)] }],
        metadata,
      ),
    ).rejects.toBeInstanceOf(VersionConflict);
  });

  it('appends to several streams atomically: a conflict on one writes nothing to the others', async () => {
    const [first, second] = [streamId(), streamId()];
    await store.append(
      [
        {
          streamId: second,
          streamType: 'test',
          expectedVersion: 'no_stream',
          events: [counted(1)],
        },
      ],
      metadata,
    );
    await expect(
      store.append(
        [
          {
            streamId: first,
            streamType: 'test',
            expectedVersion: 'no_stream',
            events: [counted(1)],
          },
          {
            streamId: second,
            streamType: 'test',
            expectedVersion: 'no_stream',
            events: [counted(2)],
          },
        ],
        metadata,
      ),
    ).rejects.toBeInstanceOf(VersionConflict);
    expect((await store.readStream(first)).version).toBe(0);
  });

  it('refuses to store an unregistered event type', async () => {
    await expect(
      store.append(
        [
          {
            streamId: streamId(),
            streamType: 'test',
            expectedVersion: 'any',
            events: [{ type: 'Unknown', data: {} }],
          },
        ],
        metadata,
      ),
    ).rejects.toThrow(/not registered/);
  });

  it('tells its observer how every append ended and how long it took', async () => {
    const seen: { outcome: string; seconds: number }[] = [];
    const observed = new PostgresEventStore(dataSource, registry, [], {
      appended: (outcome, seconds) => seen.push({ outcome, seconds }),
    });
    const id = streamId();
    const append = (expectedVersion: 'no_stream' | 'any', type = 'Counted') =>
      observed.append(
        [{ streamId: id, streamType: 'test', expectedVersion, events: [{ type, data: {} }] }],
        metadata,
      );
    await append('no_stream');
    await expect(append('no_stream')).rejects.toBeInstanceOf(VersionConflict);
    await expect(append('any', 'Unknown')).rejects.toThrow(/not registered/);
    expect(seen.map((call) => call.outcome)).toEqual(['ok', 'conflict', 'error']);
    for (const { seconds } of seen) {
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(5);
    }
  });

  it('upcasts older schema versions on read', async () => {
    const id = streamId();
    // A row written before `Renamed` reached schema version 2.
    await dataSource.query(
      `INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
       VALUES ($1, $2, 'test', 1, 'Renamed', 1, '{"name":"old"}', $3)`,
      [randomUUID(), id, JSON.stringify(metadata)],
    );
    const [event] = (await store.readStream(id)).events;
    expect(event!.data).toEqual({ name: 'old', renamed: true });
  });

  it('the events table is append-only: UPDATE, DELETE and TRUNCATE fail', async () => {
    const id = streamId();
    await store.append(
      [{ streamId: id, streamType: 'test', expectedVersion: 'no_stream', events: [counted(1)] }],
      metadata,
    );
    await expect(
      dataSource.query(`UPDATE events SET data = '{}' WHERE stream_id = $1`, [id]),
    ).rejects.toThrow(/append-only/);
    await expect(dataSource.query('DELETE FROM events WHERE stream_id = $1', [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(dataSource.query('TRUNCATE events')).rejects.toThrow(/append-only/);
    expect((await store.readStream(id)).events[0]!.data).toEqual({ n: 1 });
  });

  it("an insert another unique index refuses rolls the append back with the projection's error", async () => {
    await dataSource.query('CREATE TABLE named_view (id text PRIMARY KEY, name text UNIQUE)');
    await dataSource.query(`INSERT INTO named_view VALUES ('first', 'taken')`);
    const naming: InlineProjection = {
      name: 'naming',
      eventTypes: ['Counted'],
      changesOf: (event) => [
        {
          kind: 'insert',
          table: { name: 'named_view', key: ['id'] },
          existing: 'keep',
          rows: [{ id: event.streamId, name: 'taken' }],
          refused: () => Promise.resolve(new Error('name taken')),
        },
      ],
    };
    const vetoing = new PostgresEventStore(dataSource, registry, [naming]);
    const id = streamId();
    await expect(
      vetoing.append(
        [{ streamId: id, streamType: 'test', expectedVersion: 'no_stream', events: [counted(1)] }],
        metadata,
      ),
    ).rejects.toThrow('name taken');
    expect((await store.readStream(id)).version).toBe(0);
    expect(await dataSource.query('SELECT id FROM named_view')).toEqual([{ id: 'first' }]);
  });

  it('the runner re-decides after a conflict instead of failing', async () => {
    const id = `counter-${randomUUID()}`;
    const decider = {
      streamType: 'counter',
      initialState: () => 0,
      evolve: (state: number, event: { type: string; data: { n: number } }) =>
        Math.max(state, event.data.n),
      decide: (_: 'increment', state: number) => [counted(state + 1)],
    };
    const runner = new DeciderCommandRunner(store, { maxAttempts: 20 });
    await Promise.all(
      Array.from({ length: 8 }, () =>
        runner.execute(decider, id.replace('counter-', ''), 'increment', metadata),
      ),
    );
    const slice = await store.readStream(id);
    expect(slice.events.map((event) => (event.data as { n: number }).n)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });

  it('reads the feed in transaction id order, by number, not by its text', async () => {
    // Committed long ago by transactions 10 and then 9 (numbers of different lengths), older
    // than any a cluster runs after initdb.
    for (const transactionId of ['10', '9']) {
      await dataSource.query(
        `INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version,
                             data, metadata, transaction_id)
         VALUES ($1, $2, 'test', 1, 'Counted', 1, '{"n": 0}', $3, $4::xid8)`,
        [randomUUID(), streamId(), JSON.stringify(metadata), transactionId],
      );
    }
    const [first, second] = await store.readFeed({ transactionId: 0n, globalPosition: 0n }, 2);
    expect([first?.transactionId, second?.transactionId]).toEqual([9n, 10n]);
  });

  it('lists no event of the feed while an older transaction is still running, then all of it', async () => {
    const older = new Client({ connectionString: database.url });
    await older.connect();
    try {
      // A transaction that took its id first and may still append: it commits after the next one.
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()');
      const id = streamId();
      const [newer] = await store.append(
        [{ streamId: id, streamType: 'test', expectedVersion: 'no_stream', events: [counted(1)] }],
        metadata,
      );
      const feedHas = async () =>
        (await store.readFeed({ transactionId: 0n, globalPosition: 0n }, 10_000)).some(
          (event) => event.eventId === newer!.eventId,
        );

      expect(await feedHas()).toBe(false);
      await older.query('COMMIT');
      expect(await feedHas()).toBe(true);
    } finally {
      await older.end();
    }
  });

  const counter = {
    streamType: 'counter',
    initialState: () => 0,
    evolve: (state: number, event: { type: string; data: { n: number } }) =>
      Math.max(state, event.data.n),
    decide: (_: 'increment', state: number) => [counted(state + 1)],
  };

  /**
   * A store whose appends stop inside their transaction, locks taken, until `release`: its
   * projection inserts a row that another connection has inserted and not yet committed.
   */
  async function storeHeldInsideAppend() {
    await dataSource.query('CREATE TABLE IF NOT EXISTS held_view (id text PRIMARY KEY)');
    const key = randomUUID();
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('INSERT INTO held_view VALUES ($1)', [key]);
    const holding: InlineProjection = {
      name: 'holding',
      eventTypes: ['Counted'],
      changesOf: () => [
        {
          kind: 'insert',
          table: { name: 'held_view', key: ['id'] },
          existing: 'keep',
          rows: [{ id: key }],
        },
      ],
    };
    const inside = eventually(
      async () => {
        const [waiting] = await dataSource.query<{ count: number }[]>(
          `SELECT count(*)::int AS count FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND query LIKE '%held_view%'`,
        );
        return waiting?.count;
      },
      (count) => count === 1,
      { intervalMs: 20, what: 'an append waiting inside its transaction' },
    );
    const release = () => void holder.query('ROLLBACK').finally(() => holder.end());
    return { slowStore: new PostgresEventStore(dataSource, registry, [holding]), inside, release };
  }

  describe('plans that look at a stream before deciding on it', () => {
    it('decide on what they looked at: a write in between re-runs the plan', async () => {
      const id = randomUUID();
      const runner = new DeciderCommandRunner(store);
      let attempts = 0;
      const { result } = await runner.transact(async (scope) => {
        attempts += 1;
        const { state: seen } = await scope.load(counter, id);
        if (attempts === 1) {
          await store.append(
            [
              {
                streamId: `counter-${id}`,
                streamType: 'counter',
                expectedVersion: 'any',
                events: [counted(1)],
              },
            ],
            metadata,
          );
        }
        const decided = await scope.decide(counter, id, 'increment');
        return { seen, decidedOn: decided.before };
      }, metadata);
      expect(attempts).toBe(2);
      expect(result).toEqual({ seen: 1, decidedOn: 1 });
      expect((await store.readStream(`counter-${id}`)).version).toBe(2);
    });

    it('a second decision on one stream builds on the first', async () => {
      const id = randomUUID();
      await new DeciderCommandRunner(store).transact(async (scope) => {
        await scope.decide(counter, id, 'increment');
        await scope.decide(counter, id, 'increment');
      }, metadata);
      const slice = await store.readStream(`counter-${id}`);
      expect(slice.events.map((event) => (event.data as { n: number }).n)).toEqual([1, 2]);
    });
  });

  describe('guards: streams a plan relies on without writing them', () => {
    const appendTo = (id: string, n: number) =>
      store.append(
        [{ streamId: id, streamType: 'test', expectedVersion: 'any', events: [counted(n)] }],
        metadata,
      );

    it('refuses an append whose guarded stream moved since it was read, writing nothing', async () => {
      const [guarded, written] = [streamId(), streamId()];
      await appendTo(guarded, 1);
      await appendTo(guarded, 2);
      await expect(
        store.append(
          [{ streamId: written, streamType: 'test', expectedVersion: 'any', events: [counted(1)] }],
          metadata,
          [{ streamId: guarded, version: 1 }],
        ),
      ).rejects.toBeInstanceOf(VersionConflict);
      expect((await store.readStream(written)).version).toBe(0);
      await store.append(
        [{ streamId: written, streamType: 'test', expectedVersion: 'any', events: [counted(1)] }],
        metadata,
        [{ streamId: guarded, version: 2 }],
      );
      expect((await store.readStream(written)).version).toBe(1);
    });

    it('the runner re-runs a plan whose relied-on stream moved before the commit', async () => {
      const [relied, written] = [randomUUID(), randomUUID()];
      await appendTo(`counter-${relied}`, 1);
      const runner = new DeciderCommandRunner(store);
      let attempts = 0;
      const { result } = await runner.transact(async (scope) => {
        attempts += 1;
        const { version } = await scope.rely(counter, relied);
        // Another writer commits between this plan's read and its append.
        if (attempts === 1) await appendTo(`counter-${relied}`, 2);
        await scope.decide(counter, written, 'increment');
        return version;
      }, metadata);
      expect(attempts).toBe(2);
      expect(result).toBe(2);
      expect((await store.readStream(`counter-${written}`)).version).toBe(1);
    });

    it('a guarded append waits for the holder of the exclusive lock', async () => {
      const [guarded, written] = [streamId(), streamId()];
      let pending: Promise<unknown> | undefined;
      const seenInside = await store.exclusively(guarded, async () => {
        pending = store.append(
          [{ streamId: written, streamType: 'test', expectedVersion: 'any', events: [counted(1)] }],
          metadata,
          [{ streamId: guarded, version: 0 }],
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        return (await store.readStream(written)).version;
      });
      await pending;
      expect(seenInside).toBe(0);
      expect((await store.readStream(written)).version).toBe(1);
    });

    it('the exclusive lock waits for a guarded append to commit, and then sees it', async () => {
      const [guarded, written] = [streamId(), streamId()];
      const { slowStore, inside, release } = await storeHeldInsideAppend();
      const append = slowStore.append(
        [{ streamId: written, streamType: 'test', expectedVersion: 'any', events: [counted(1)] }],
        metadata,
        [{ streamId: guarded, version: 0 }],
      );
      await inside;
      const exclusive = store.exclusively(guarded, async (sql) => {
        const [row] = await sql.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM events WHERE stream_id = $1',
          [written],
        );
        return row?.count;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await append;
      expect(await exclusive).toBe(1);
    });
  });

  describe('claims: facts outside the store that only plans guarding a stream change', () => {
    const eventsIn = async (sql: SqlExecutor, id: string) =>
      (
        await sql.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM events WHERE stream_id = $1',
          [id],
        )
      )[0]!.count;

    it('re-runs the plan when the claimed answer changed before the commit', async () => {
      const [claimed, written] = [randomUUID(), randomUUID()];
      const runner = new DeciderCommandRunner(store);
      let fact = 'as first read';
      const plannedOn: string[] = [];
      await runner.transact(async (scope) => {
        const read = fact;
        plannedOn.push(read);
        fact = 'changed';
        scope.claim(counter, claimed, () => Promise.resolve(fact === read));
        await scope.decide(counter, written, 'increment');
      }, metadata);
      expect(plannedOn).toEqual(['as first read', 'changed']);
      expect((await store.readStream(`counter-${written}`)).version).toBe(1);
    });

    it('asks again only once a guarded append in flight has committed, and sees it', async () => {
      const [claimed, guardedWrite, written] = [randomUUID(), streamId(), streamId()];
      const { slowStore, inside, release } = await storeHeldInsideAppend();
      const guarded = slowStore.append(
        [
          {
            streamId: guardedWrite,
            streamType: 'test',
            expectedVersion: 'any',
            events: [counted(1)],
          },
        ],
        metadata,
        [{ streamId: `counter-${claimed}`, version: 0 }],
      );
      await inside;
      const answers: number[] = [];
      const claiming = store.append(
        [{ streamId: written, streamType: 'test', expectedVersion: 'any', events: [counted(1)] }],
        metadata,
        [],
        [
          {
            streamId: `counter-${claimed}`,
            stillHolds: async (sql) => {
              answers.push(await eventsIn(sql, guardedWrite));
              return true;
            },
          },
        ],
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answers).toEqual([]);
      release();
      await Promise.all([guarded, claiming]);
      expect(answers).toEqual([1]);
    });
  });
});
