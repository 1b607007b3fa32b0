import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import type { DownloadSessionCommand } from '@cls/domain';
import { downloadSessionDecider, SYSTEM_CALLER } from '@cls/domain';
import type { EventMetadata } from '@cls/event-store';
import { DeciderCommandRunner, EventTypeRegistry, PostgresEventStore } from '@cls/event-store';
import type { TestDatabase } from '@cls/testing';
import { alice, createTestDatabase, storedFile, TIMEOUT } from '@cls/testing';

import { downloadSessionViewProjection } from './download-session-view.projection';
import { INLINE_PROJECTIONS } from './inline-projections';

type WithoutId<C> = C extends unknown ? Omit<C, 'sessionId'> : never;

const registry = downloadSessionViewProjection.eventTypes.reduce(
  (types, type) => types.register(type),
  new EventTypeRegistry(),
);

const metadata: EventMetadata = {
  actor: 'alice',
  correlationId: 'corr',
  causationId: 'cmd',
  commandType: 'Test',
};

/** The download session view as the API will read it, built by the real store's inline projection. */
describe('download_session_view (real Postgres)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let runner: DeciderCommandRunner;

  beforeAll(async () => {
    database = await createTestDatabase('download_view');
    dataSource = await database.open();
    runner = new DeciderCommandRunner(
      new PostgresEventStore(dataSource, registry, INLINE_PROJECTIONS),
    );
  });

  afterAll(() => database.drop());

  const now = () => new Date().toISOString();
  async function run(sessionId: string, command: WithoutId<DownloadSessionCommand>) {
    return runner.execute(downloadSessionDecider, sessionId, { ...command, sessionId }, metadata);
  }
  const envelope = () => ({ caller: alice, now: now(), timeoutSeconds: TIMEOUT });
  const session = (id: string) =>
    dataSource.query<
      {
        state: string;
        client_progress: number;
        library_item_content_version: number;
        error_message: { defaultMessage: string } | null;
      }[]
    >('SELECT * FROM download_session_view WHERE id = $1', [id]);
  const files = (id: string) =>
    dataSource.query<
      { name: string; status: string; endpoint_type: string | null; storage_key: string }[]
    >(
      'SELECT name, status, endpoint_type, storage_key, size FROM download_session_file_view WHERE session_id = $1 ORDER BY name',
      [id],
    );

  async function created(): Promise<string> {
    const id = randomUUID();
    await run(id, {
      type: 'CreateDownloadSession',
      ...envelope(),
      item: {
        id: randomUUID(),
        libraryId: randomUUID(),
        contentVersion: 7,
        files: [
          storedFile({ name: 'a.iso', storageKey: 'k/a' }),
          storedFile({ name: 'b.vmdk', storageKey: 'k/b' }),
        ],
      },
    });
    return id;
  }

  it('lists the pinned files UNPREPARED with their storage keys, and an ACTIVE session', async () => {
    const id = await created();
    expect(await session(id)).toEqual([
      expect.objectContaining({
        state: 'ACTIVE',
        client_progress: 0,
        library_item_content_version: 7,
      }),
    ]);
    expect(await files(id)).toEqual([
      {
        name: 'a.iso',
        status: 'UNPREPARED',
        endpoint_type: null,
        storage_key: 'k/a',
        size: '1024',
      },
      {
        name: 'b.vmdk',
        status: 'UNPREPARED',
        endpoint_type: null,
        storage_key: 'k/b',
        size: '1024',
      },
    ]);
  });

  it('prepares, keeps alive, fails, and removes the files with the session', async () => {
    const id = await created();
    await run(id, {
      type: 'PrepareDownloadSessionFile',
      ...envelope(),
      name: 'a.iso',
      endpointType: 'HTTPS',
    });
    await run(id, { type: 'KeepDownloadSessionAlive', ...envelope(), progress: 40 });
    expect((await files(id))[0]).toMatchObject({ status: 'PREPARED', endpoint_type: 'HTTPS' });
    expect((await session(id))[0]?.client_progress).toBe(40);
    await run(id, { type: 'FailDownloadSession', ...envelope(), clientErrorMessage: 'gave up' });
    expect((await session(id))[0]).toMatchObject({ state: 'ERROR' });
    expect((await session(id))[0]?.error_message?.defaultMessage).toContain('gave up');
    await run(id, { type: 'DeleteDownloadSession', ...envelope() });
    expect(await session(id)).toEqual([]);
    expect(await files(id)).toEqual([]);
  });

  it('an idle session expires away; its history stays', async () => {
    const id = await created();
    await run(id, {
      type: 'ExpireDownloadSession',
      caller: SYSTEM_CALLER,
      now: new Date(Date.now() + (TIMEOUT + 1) * 1000).toISOString(),
      timeoutSeconds: TIMEOUT,
    });
    expect(await session(id)).toEqual([]);
    const history = await dataSource.query<{ event_type: string }[]>(
      'SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version',
      [`download_session-${id}`],
    );
    expect(history.map((row) => row.event_type)).toEqual([
      'DownloadSessionCreated',
      'DownloadSessionExpired',
    ]);
  });
});
