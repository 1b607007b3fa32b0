import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import type { EventMetadata, InlineProjection } from '@cls/event-store';
import {
  DeciderCommandRunner,
  EventTypeRegistry,
  PostgresEventStore,
  VersionConflict,
} from '@cls/event-store';
import type { TestDatabase } from '@cls/testing';
import { createTestDatabase } from '@cls/testing';

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

  it('an inline projection that throws rolls the append back', async () => {
    const veto: InlineProjection = {
      name: 'veto',
      eventTypes: ['Counted'],
      apply: () => Promise.reject(new Error('vetoed')),
    };
    const vetoing = new PostgresEventStore(dataSource, registry, [veto]);
    const id = streamId();
    await expect(
      vetoing.append(
        [{ streamId: id, streamType: 'test', expectedVersion: 'no_stream', events: [counted(1)] }],
        metadata,
      ),
    ).rejects.toThrow('vetoed');
    expect((await store.readStream(id)).version).toBe(0);
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
});
