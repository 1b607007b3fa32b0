import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import { loadConfig } from '@cls/config';
import { PostgresNotifications } from '@cls/database';
import { EventTypeRegistry, PostgresEventStore } from '@cls/event-store';
import type { TestDatabase } from '@cls/testing';
import { createTestDatabase, eventually } from '@cls/testing';

import { StreamNotifications } from './stream-notifications';

describe('StreamNotifications (real Postgres LISTEN/NOTIFY)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;
  let postgres: PostgresNotifications;
  let notifications: StreamNotifications;

  beforeAll(async () => {
    database = await createTestDatabase('stream_notifications');
    dataSource = await database.open();
    store = new PostgresEventStore(dataSource, new EventTypeRegistry().register('Counted'), []);
    postgres = new PostgresNotifications(loadConfig({ DATABASE_URL: database.url }));
    notifications = new StreamNotifications(postgres);
  });

  afterAll(async () => {
    await postgres.onApplicationShutdown();
    await database.drop();
  });

  const append = (streamId: string) =>
    store.append(
      [
        {
          streamId,
          streamType: 'test',
          expectedVersion: 'any',
          events: [{ type: 'Counted', data: {} }],
        },
      ],
      { actor: 'a', correlationId: 'c', causationId: 'c', commandType: 'Count' },
    );

  it('wakes the listeners of exactly the streams a commit appended to, until they unsubscribe', async () => {
    const [watched, other] = [`test-${randomUUID()}`, `test-${randomUUID()}`];
    let woken = 0;
    const unsubscribe = await notifications.subscribe(watched, () => (woken += 1));
    await append(other);
    await append(watched);
    await eventually(
      () => woken,
      (count) => count === 1,
      { what: 'one wake-up for the watched stream' },
    );
    unsubscribe();
    await append(watched);
    let control = 0;
    const stop = await notifications.subscribe(other, () => (control += 1));
    await append(other);
    await eventually(
      () => control,
      (count) => count === 1,
      { what: 'the control notification' },
    );
    stop();
    // Notifications arrive in commit order on one connection: the later one came, so the earlier did.
    expect(woken).toBe(1);
  });
});
