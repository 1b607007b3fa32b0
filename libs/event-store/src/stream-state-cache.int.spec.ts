import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import type { EventMetadata, StreamSlice } from '@cls/event-store';
import { DeciderCommandRunner, EventTypeRegistry, PostgresEventStore } from '@cls/event-store';
import type { TestDatabase } from '@cls/testing';
import { createTestDatabase } from '@cls/testing';

const metadata: EventMetadata = {
  actor: 'alice',
  correlationId: 'corr-1',
  causationId: 'cmd-1',
  commandType: 'Test',
};
const counted = (n: number) => ({ type: 'Counted', data: { n } });

type CounterCommand = 'increment' | 'increment-if-started' | 'nothing';

/** A counter whose `increment-if-started` is refused until some other command counted once. */
const counter = {
  streamType: 'counter',
  initialState: () => 0,
  evolve: (state: number, event: { type: string; data: { n: number } }) => event.data.n,
  decide: (command: CounterCommand, state: number) => {
    if (command === 'nothing') return [];
    if (command === 'increment-if-started' && state === 0) throw new Error('not started');
    return [counted(state + 1)];
  },
};

/** A store that counts the stream reads it serves. */
class CountingStore extends PostgresEventStore {
  reads = 0;

  override readStream(streamId: string, afterVersion = 0): Promise<StreamSlice> {
    this.reads += 1;
    return super.readStream(streamId, afterVersion);
  }
}

/**
 * The runner's stream-state cache against the real store: two runners stand for two processes, so
 * each one's cache goes stale when the other writes.
 */
describe('DeciderCommandRunner stream-state cache (real Postgres)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('stream_state_cache');
    dataSource = await database.open();
  });

  afterAll(() => database.drop());

  function process(): { runner: DeciderCommandRunner; store: CountingStore } {
    const store = new CountingStore(dataSource, new EventTypeRegistry().register('Counted'), []);
    return { runner: new DeciderCommandRunner(store), store };
  }

  const countOf = async (store: PostgresEventStore, id: string) =>
    (await store.readStream(`counter-${id}`)).events.map(
      (event) => (event.data as { n: number }).n,
    );

  it('decides on the state it just decided without reading the stream again', async () => {
    const { runner, store } = process();
    const id = randomUUID();
    await runner.execute(counter, id, 'increment', metadata);
    const readsAfterFirst = store.reads;
    await runner.execute(counter, id, 'increment', metadata);
    await runner.execute(counter, id, 'increment', metadata);
    expect(store.reads).toBe(readsAfterFirst);
    expect(await countOf(store, id)).toEqual([1, 2, 3]);
  });

  it('a state gone stale through another process costs a conflict and a re-read, never a wrong event', async () => {
    const one = process();
    const other = process();
    const id = randomUUID();
    await one.runner.execute(counter, id, 'increment', metadata);
    await other.runner.execute(counter, id, 'increment', metadata);
    const decided = await one.runner.execute(counter, id, 'increment', metadata);
    expect(decided.before).toBe(2);
    expect(await countOf(one.store, id)).toEqual([1, 2, 3]);
  });

  it('a refusal is never answered from a stale state', async () => {
    const one = process();
    const other = process();
    const id = randomUUID();
    // `one` caches the empty stream, then another process starts the counter.
    await one.runner.execute(counter, id, 'nothing', metadata);
    await other.runner.execute(counter, id, 'increment', metadata);
    await one.runner.execute(counter, id, 'increment-if-started', metadata);
    expect(await countOf(one.store, id)).toEqual([1, 2]);
  });

  it('a decision to do nothing is never taken on a stale state', async () => {
    const one = process();
    const other = process();
    const id = randomUUID();
    await one.runner.execute(counter, id, 'increment', metadata);
    await other.runner.execute(counter, id, 'increment', metadata);
    const decided = await one.runner.execute(counter, id, 'nothing', metadata);
    expect(decided.state).toBe(2);
  });

  it('load for a question that decides nothing reads only what this process has not seen', async () => {
    const one = process();
    const other = process();
    const id = randomUUID();
    await one.runner.execute(counter, id, 'increment', metadata);
    await other.runner.execute(counter, id, 'increment', metadata);
    expect((await one.runner.load(counter, id)).state).toBe(2);
    expect((await one.runner.load(counter, id)).version).toBe(2);
  });
});
