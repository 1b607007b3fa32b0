import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { Queue } from 'bullmq';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { loadConfig } from '@cls/config';
import { PostgresNotifications } from '@cls/database';
import { PostgresEventStore } from '@cls/event-store';
import { INLINE_PROJECTIONS } from '@cls/projections';
import { createEventTypeRegistry } from '@cls/sessions';
import type { TestDatabase } from '@cls/testing';
import {
  createTestDatabase,
  dropRedisKeys,
  eventually,
  fileAdded,
  sessionCreated,
} from '@cls/testing';

import { JobEnqueuer } from './job-enqueuer';
import { OutboxRelay } from './outbox-relay';
import { queueConnection } from './queue-connection';
import { Queues } from './queues';

/** The relay against the real Postgres and Redis (STYLE §9): at least once, one job per event. */
describe('OutboxRelay (real Postgres and Redis)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;
  let config: AppConfig;
  let transfers: Queue;
  let notifications: PostgresNotifications;
  const running: { relay: OutboxRelay; queues: Queues }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('outbox_relay');
    dataSource = await database.open();
    store = new PostgresEventStore(dataSource, createEventTypeRegistry(), INLINE_PROJECTIONS);
    config = loadConfig({
      DATABASE_URL: database.url,
      REDIS_PREFIX: `cls-int-${randomBytes(4).toString('hex')}`,
      WORKER_ROLES: 'relay',
    });
    notifications = new PostgresNotifications(config);
    const { connection, prefix } = queueConnection(config);
    transfers = new Queue('session-transfer', { connection, prefix });
  });

  async function stop({ relay, queues }: { relay: OutboxRelay; queues: Queues }): Promise<void> {
    await relay.onApplicationShutdown();
    await queues.onApplicationShutdown();
  }

  afterEach(() => Promise.all(running.splice(0).map(stop)));

  afterAll(async () => {
    await transfers.close();
    await notifications.onApplicationShutdown();
    await dropRedisKeys(config.redisPrefix);
    await database.drop();
  });

  function startRelay(): OutboxRelay {
    const queues = new Queues(config);
    const relay = new OutboxRelay(
      dataSource,
      store,
      new JobEnqueuer(config, queues),
      notifications,
      config,
    );
    relay.onApplicationBootstrap();
    running.push({ relay, queues });
    return relay;
  }

  /** A session with one PULL file, appended as the API would. */
  async function appendPull(): Promise<{ eventId: string; transferId: string }> {
    const sessionId = randomUUID();
    const transferId = randomUUID();
    const recorded = await store.append(
      [
        {
          streamId: `update_session-${sessionId}`,
          streamType: 'update_session',
          expectedVersion: 'no_stream',
          events: [
            sessionCreated({ sessionId, libraryItemId: randomUUID() }),
            fileAdded({
              sessionId,
              transferId,
              sourceType: 'PULL',
              sourceEndpoint: { uri: 'https://example.com/a.iso' },
            }),
          ],
        },
      ],
      { actor: 'alice', correlationId: 'corr-relay', causationId: 'cmd', commandType: 'Test' },
    );
    return { eventId: recorded[1]!.eventId, transferId };
  }

  const pullJob = (eventId: string) => transfers.getJob(`${eventId}-pull-file`);

  it('enqueues the reactions of committed events with their correlation id', async () => {
    startRelay();
    const { eventId, transferId } = await appendPull();
    const job = await eventually(
      () => pullJob(eventId),
      (found) => found !== undefined,
      {
        what: 'pull job enqueued',
      },
    );
    expect(job!.name).toBe('pull-file');
    expect(job!.data).toMatchObject({
      transferId,
      causationId: eventId,
      correlationId: 'corr-relay',
    });
  });

  it('relays an event whose transaction began first and committed last: the feed never skips it', async () => {
    startRelay();
    const late = new Client({ connectionString: database.url });
    await late.connect();
    try {
      const sessionId = randomUUID();
      const added = fileAdded({
        sessionId,
        transferId: randomUUID(),
        sourceType: 'PULL',
        sourceEndpoint: { uri: 'https://example.com/late.iso' },
      });
      const lateEventId = randomUUID();
      // Its transaction id comes first; its commit comes after a newer append is relayed.
      await late.query('BEGIN');
      await late.query(
        `INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type,
                             schema_version, data, metadata)
         VALUES ($1, $2, 'update_session', 1, $3, $4, $5, $6)`,
        [
          lateEventId,
          `update_session-${sessionId}`,
          added.type,
          createEventTypeRegistry().schemaVersionOf(added.type),
          JSON.stringify(added.data),
          JSON.stringify({
            actor: 'alice',
            correlationId: 'c',
            causationId: 'c',
            commandType: 'T',
          }),
        ],
      );
      const newer = await appendPull();
      // The relay is told of the newer commit at once; it must not move past the open one.
      await sleep(500);
      expect(await pullJob(newer.eventId)).toBeUndefined();
      await late.query('COMMIT');

      for (const eventId of [newer.eventId, lateEventId])
        await eventually(
          () => pullJob(eventId),
          (found) => found !== undefined,
          { what: `pull job of ${eventId === lateEventId ? 'the late' : 'the newer'} event` },
        );
    } finally {
      await late.end();
    }
  });

  it('relaying again after a crash before the checkpoint enqueues nothing twice', async () => {
    startRelay();
    const { eventId } = await appendPull();
    await eventually(
      () => pullJob(eventId),
      (found) => found !== undefined,
      {
        what: 'pull job enqueued',
      },
    );
    await stop(running.pop()!);
    const waitingBefore = await transfers.getWaitingCount();
    // The crash: the checkpoint never moved past the batch.
    await dataSource.query('DELETE FROM feed_checkpoint');
    startRelay();
    await eventually(
      () => dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM feed_checkpoint'),
      ([row]) => row?.n === 1,
      { what: 'batch relayed again' },
    );
    expect(await transfers.getWaitingCount()).toBe(waitingBefore);
  });

  it('two relays: one leads, the other waits on standby, every event is relayed once', async () => {
    startRelay();
    startRelay();
    const appended = await Promise.all([appendPull(), appendPull(), appendPull()]);
    for (const { eventId } of appended) {
      await eventually(
        () => pullJob(eventId),
        (found) => found !== undefined,
        {
          what: 'pull job enqueued',
        },
      );
    }
    // Advisory locks are per database: count this database's holders only.
    const holders = await dataSource.query<{ pid: number }[]>(
      `SELECT pid FROM pg_locks
        WHERE locktype = 'advisory' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(holders).toHaveLength(1);
  });
});
