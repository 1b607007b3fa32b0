import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

import type { DataSource } from 'typeorm';

import type { Caller } from '@cls/domain';
import {
  downloadSessionDecider,
  libraryDecider,
  libraryItemDecider,
  SYSTEM_CALLER,
  updateSessionDecider,
} from '@cls/domain';
import { AdvisoryLock } from '@cls/database';
import type { EventMetadata } from '@cls/event-store';
import { DeciderCommandRunner, EventTypeRegistry, PostgresEventStore } from '@cls/event-store';
import type { TestDatabase } from '@cls/testing';
import { alice, createTestDatabase, EMPTY_DIGESTS, storedFile, TIMEOUT } from '@cls/testing';

import { INLINE_PROJECTIONS } from '../inline-projections';
import {
  BACKUP_SCHEMA,
  ProjectionRebuild,
  REBUILD_SCHEMA,
  RebuildInProgress,
} from './projection-rebuild';
import type { RebuildReport } from './rebuild-report';
import { isIdentical } from './view-comparison';

const registry = [
  ...new Set(INLINE_PROJECTIONS.flatMap((projection) => projection.eventTypes)),
].reduce((types, type) => types.register(type), new EventTypeRegistry());

const metadata: EventMetadata = {
  actor: 'alice',
  correlationId: 'corr',
  causationId: 'cmd',
  commandType: 'Test',
};

const DIGESTS = { SHA1: EMPTY_DIGESTS.SHA1, SHA256: EMPTY_DIGESTS.SHA256 };

/** Libraries, items and sessions driven through the real deciders, store and projections. */
class Traffic {
  private clock = Date.parse('2026-11-23T10:00:00.000Z');

  constructor(private readonly runner: DeciderCommandRunner) {}

  private now(): string {
    this.clock += 1_000;
    return new Date(this.clock).toISOString();
  }

  private envelope(sessionId: string, caller: Caller = alice) {
    return { sessionId, caller, now: this.now(), timeoutSeconds: TIMEOUT };
  }

  async library(): Promise<string> {
    const libraryId = randomUUID();
    await this.runner.execute(
      libraryDecider,
      libraryId,
      {
        type: 'CreateLocalLibrary',
        libraryId,
        name: `library-${libraryId}`,
        description: '',
        storageBackings: [{ type: 'DATASTORE', datastoreId: 'datastore-1' }],
        now: this.now(),
      },
      metadata,
    );
    return libraryId;
  }

  async deleteLibrary(libraryId: string): Promise<void> {
    await this.runner.execute(
      libraryDecider,
      libraryId,
      { type: 'DeleteLocalLibrary', libraryId, now: this.now() },
      metadata,
    );
  }

  async item(libraryId: string, name = `item-${randomUUID()}`): Promise<string> {
    const itemId = randomUUID();
    await this.runner.execute(
      libraryItemDecider,
      itemId,
      {
        type: 'CreateLibraryItem',
        itemId,
        library: { id: libraryId, name: 'library' },
        name,
        description: '',
        now: this.now(),
      },
      metadata,
    );
    return itemId;
  }

  /** A copy of an item's content (the files as if linked under the copy's keys). */
  async copyItem(libraryId: string, sourceItemId: string): Promise<string> {
    const itemId = randomUUID();
    await this.runner.execute(
      libraryItemDecider,
      itemId,
      {
        type: 'CopyLibraryItem',
        itemId,
        library: { id: libraryId, name: 'library' },
        name: `copy-${itemId}`,
        description: 'a copy',
        now: this.now(),
        source: {
          itemId: sourceItemId,
          contentVersion: 2,
          files: [storedFile({ name: 'disk.iso', storageKey: `${itemId}/disk.iso` })],
        },
      },
      metadata,
    );
    return itemId;
  }

  async deleteItem(itemId: string): Promise<void> {
    await this.runner.execute(
      libraryItemDecider,
      itemId,
      { type: 'DeleteLibraryItem', itemId, reason: 'CLIENT', now: this.now() },
      metadata,
    );
  }

  /** An update session with one PUSH file that arrived. */
  async uploadSession(libraryId: string, itemId: string): Promise<string> {
    const sessionId = randomUUID();
    const transferId = randomUUID();
    const session = (command: Parameters<typeof updateSessionDecider.decide>[0]) =>
      this.runner.execute(updateSessionDecider, sessionId, command, metadata);
    await session({
      type: 'CreateUpdateSession',
      ...this.envelope(sessionId),
      item: { id: itemId, libraryId, contentVersion: 1, files: [] },
      warningBehavior: [],
    });
    await session({
      type: 'AddUpdateSessionFile',
      ...this.envelope(sessionId),
      name: 'disk.iso',
      sourceType: 'PUSH',
      transferId,
    });
    await session({
      type: 'KeepUpdateSessionAlive',
      ...this.envelope(sessionId),
      clientProgress: 40,
    });
    await session({
      type: 'RecordUpdateSessionFileReceived',
      ...this.envelope(sessionId),
      name: 'disk.iso',
      transferId,
      size: 0,
      digests: DIGESTS,
    });
    return sessionId;
  }

  /**
   * An OVF session over an item that had content: warnings changed, an `.ova` unpacked, a file
   * added and removed, and a pull still running when `complete` was asked, which then failed.
   */
  async ovfSession(libraryId: string, itemId: string): Promise<string> {
    const sessionId = randomUUID();
    const [ova, late] = [randomUUID(), randomUUID()];
    const session = (command: Parameters<typeof updateSessionDecider.decide>[0]) =>
      this.runner.execute(updateSessionDecider, sessionId, command, metadata);
    const add = (name: string, transferId: string, sourceType: 'PUSH' | 'PULL') =>
      session({
        type: 'AddUpdateSessionFile',
        ...this.envelope(sessionId),
        name,
        sourceType,
        transferId,
        ...(sourceType === 'PULL'
          ? { sourceEndpoint: { uri: `https://source.example/${name}` } }
          : { declaredSize: 3 }),
      });
    const start = (name: string, transferId: string) =>
      session({
        type: 'StartUpdateSessionFileTransfer',
        ...this.envelope(sessionId),
        name,
        transferId,
      });
    await session({
      type: 'CreateUpdateSession',
      ...this.envelope(sessionId),
      item: {
        id: itemId,
        libraryId,
        contentVersion: 2,
        type: 'ovf',
        files: [storedFile({ name: 'old.txt' })],
      },
      warningBehavior: [],
    });
    await session({
      type: 'UpdateUpdateSession',
      ...this.envelope(sessionId),
      warningBehavior: [{ type: 'SELF_SIGNED_CERTIFICATE', ignored: true }],
    });
    await add('tiny.ova', ova, 'PUSH');
    await start('tiny.ova', ova);
    await session({
      type: 'RecordUpdateSessionFileReceived',
      ...this.envelope(sessionId),
      name: 'tiny.ova',
      transferId: ova,
      size: 3,
      digests: DIGESTS,
    });
    await session({
      type: 'UnpackUpdateSessionArchive',
      ...this.envelope(sessionId),
      name: 'tiny.ova',
      transferId: ova,
      members: ['tiny.ovf', 'tiny-disk1.vmdk'].map((name) => ({
        name,
        transferId: randomUUID(),
        size: 0,
        digests: DIGESTS,
      })),
    });
    await add('gone.txt', randomUUID(), 'PUSH');
    await session({
      type: 'RemoveUpdateSessionFile',
      ...this.envelope(sessionId),
      name: 'gone.txt',
    });
    await add('late.iso', late, 'PULL');
    await start('late.iso', late);
    await session({
      type: 'CompleteUpdateSession',
      ...this.envelope(sessionId),
      completionTimeoutSeconds: 3_600,
      adapterFindings: { missingFiles: [], invalidFiles: [] },
    });
    await session({
      type: 'FailUpdateSessionFileTransfer',
      ...this.envelope(sessionId),
      name: 'late.iso',
      transferId: late,
      reason: { id: 'test.failed', defaultMessage: 'failed', args: [] },
    });
    return sessionId;
  }

  async complete(sessionId: string, itemId: string): Promise<void> {
    await this.runner.execute(
      updateSessionDecider,
      sessionId,
      {
        type: 'CompleteUpdateSession',
        ...this.envelope(sessionId),
        completionTimeoutSeconds: 3_600,
      },
      metadata,
    );
    await this.runner.execute(
      libraryItemDecider,
      itemId,
      {
        type: 'CommitLibraryItemContent',
        itemId,
        sessionId,
        incoming: [{ name: 'disk.iso', size: 0, digests: DIGESTS, storageKey: `${itemId}/k` }],
        kept: [],
        now: this.now(),
      },
      metadata,
    );
  }

  async endSession(
    sessionId: string,
    how:
      'CancelUpdateSession' | 'CancelAndDelete' | 'FailUpdateSession' | 'Expire' | 'ExpireAndPurge',
  ): Promise<void> {
    const run = (command: Parameters<typeof updateSessionDecider.decide>[0]) =>
      this.runner.execute(updateSessionDecider, sessionId, command, metadata);
    if (how === 'CancelUpdateSession' || how === 'CancelAndDelete') {
      await run({ type: 'CancelUpdateSession', ...this.envelope(sessionId), reason: 'CLIENT' });
      if (how === 'CancelAndDelete')
        await run({ type: 'DeleteUpdateSession', ...this.envelope(sessionId) });
    } else if (how === 'FailUpdateSession') {
      await run({ type: how, ...this.envelope(sessionId), clientErrorMessage: 'gave up' });
    } else {
      const later = (seconds: number) => new Date(this.clock + seconds * 1000).toISOString();
      const expire = (now: string) =>
        run({
          type: 'ExpireUpdateSession',
          sessionId,
          caller: SYSTEM_CALLER,
          now,
          timeoutSeconds: TIMEOUT,
        });
      await expire(later(TIMEOUT * 2));
      if (how === 'ExpireAndPurge') await expire(later(TIMEOUT * 10));
    }
  }

  async downloadSession(
    libraryId: string,
    itemId: string,
    end?:
      | 'CancelDownloadSession'
      | 'DeleteDownloadSession'
      | 'FailDownloadSession'
      | 'ExpireDownloadSession'
      | 'CancelAndPurge',
  ): Promise<string> {
    const sessionId = randomUUID();
    const run = (command: Parameters<typeof downloadSessionDecider.decide>[0]) =>
      this.runner.execute(downloadSessionDecider, sessionId, command, metadata);
    await run({
      type: 'CreateDownloadSession',
      ...this.envelope(sessionId),
      item: {
        id: itemId,
        libraryId,
        contentVersion: 2,
        files: [storedFile({ name: 'a.iso' }), storedFile({ name: 'b.vmdk' })],
      },
    });
    await run({
      type: 'PrepareDownloadSessionFile',
      ...this.envelope(sessionId),
      name: 'a.iso',
      endpointType: 'HTTPS',
    });
    await run({ type: 'KeepDownloadSessionAlive', ...this.envelope(sessionId), progress: 30 });
    if (end === 'FailDownloadSession')
      await run({ type: end, ...this.envelope(sessionId), clientErrorMessage: 'gave up' });
    else if (end === 'CancelAndPurge') {
      await run({ type: 'CancelDownloadSession', ...this.envelope(sessionId) });
      await run({
        type: 'ExpireDownloadSession',
        ...this.envelope(sessionId),
        now: new Date(this.clock + TIMEOUT * 10_000).toISOString(),
      });
    } else if (end === 'ExpireDownloadSession')
      await run({
        type: end,
        ...this.envelope(sessionId),
        now: new Date(this.clock + TIMEOUT * 2_000).toISOString(),
      });
    else if (end) await run({ type: end, ...this.envelope(sessionId) });
    return sessionId;
  }

  /** A bit of everything, with some of each kind of ending. */
  async mixed(): Promise<{ libraryId: string; activeItemId: string }> {
    const libraryId = await this.library();
    const items = [
      await this.item(libraryId),
      await this.item(libraryId),
      await this.item(libraryId),
    ];
    const [first, second, third] = items as [string, string, string];
    await this.complete(await this.uploadSession(libraryId, first), first);
    await this.endSession(await this.uploadSession(libraryId, first), 'CancelUpdateSession');
    await this.endSession(await this.uploadSession(libraryId, first), 'FailUpdateSession');
    await this.endSession(await this.uploadSession(libraryId, second), 'Expire');
    await this.endSession(await this.uploadSession(libraryId, second), 'ExpireAndPurge');
    await this.uploadSession(libraryId, second);
    await this.downloadSession(libraryId, first);
    await this.downloadSession(libraryId, first, 'CancelDownloadSession');
    await this.downloadSession(libraryId, first, 'DeleteDownloadSession');
    await this.downloadSession(libraryId, first, 'FailDownloadSession');
    await this.downloadSession(libraryId, first, 'ExpireDownloadSession');
    await this.downloadSession(libraryId, first, 'CancelAndPurge');
    await this.endSession(await this.uploadSession(libraryId, first), 'CancelAndDelete');
    await this.ovfSession(libraryId, await this.item(libraryId));
    await this.copyItem(libraryId, first);
    await this.deleteItem(third);
    await this.item(libraryId, 'reused-name');
    await this.deleteLibrary(await this.library());
    return { libraryId, activeItemId: second };
  }
}

const totals = (report: RebuildReport) =>
  report.tables.reduce(
    (sum, table) => ({
      missing: sum.missing + table.missing,
      extra: sum.extra + table.extra,
      different: sum.different + table.different,
    }),
    { missing: 0, extra: 0, different: 0 },
  );

describe('ProjectionRebuild (real Postgres)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;
  let traffic: Traffic;
  let rebuild: ProjectionRebuild;

  beforeAll(async () => {
    database = await createTestDatabase('rebuild');
    dataSource = await database.open();
    store = new PostgresEventStore(dataSource, registry, INLINE_PROJECTIONS);
    traffic = new Traffic(new DeciderCommandRunner(store));
    rebuild = new ProjectionRebuild(dataSource, store, INLINE_PROJECTIONS);
    await traffic.mixed();
    await traffic.mixed();
    // Activity the data plane writes without events: a replay cannot know it.
    await dataSource.query(
      `UPDATE update_session_view SET expiration_time = expiration_time + interval '1 hour' WHERE state = 'ACTIVE'`,
    );
    await dataSource.query(`UPDATE download_session_file_view SET bytes_transferred = 512`);
  });

  afterAll(() => database.drop());

  const rowsOf = (table: string) =>
    dataSource.query<Record<string, unknown>[]>(`SELECT * FROM ${table} ORDER BY 1, 2`);
  const definitions = () =>
    dataSource.query<{ indexname: string; indexdef: string }[]>(
      `SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename LIKE '%\\_view' ORDER BY indexname`,
    );
  const constraints = () =>
    dataSource.query<{ conname: string; def: string }[]>(
      `SELECT conname, pg_get_constraintdef(k.oid) AS def FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname LIKE '%\\_view' ORDER BY conname`,
    );
  const schemaExists = async (name: string) =>
    (await dataSource.query<unknown[]>('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name]))
      .length > 0;

  it('replays every event into views identical to the live ones, row by row', async () => {
    const [{ count }] = await dataSource.query<[{ count: string }]>('SELECT count(*) FROM events');

    const replayed = await dataSource.query<{ type: string }[]>(
      'SELECT DISTINCT event_type AS type FROM events',
    );
    expect(
      registry
        .catalogue()
        .map(({ type }) => type)
        .filter((type) => !replayed.some((event) => event.type === type)),
    ).toEqual([]);

    const report = await rebuild.run({ batchSize: 7 });

    expect(report.events).toBe(Number(count));
    expect(report.identical).toBe(true);
    expect(report.swapped).toBe(false);
    expect(report.tables.map((table) => table.table)).toEqual([
      'download_session_file_view',
      'download_session_view',
      'library_item_file_view',
      'library_item_view',
      'library_view',
      'stream_scope_view',
      'update_session_file_view',
      'update_session_view',
    ]);
    for (const table of report.tables) {
      expect(table).toMatchObject({ missing: 0, extra: 0, different: 0 });
      expect(table.rebuiltRows).toBe(table.liveRows);
      expect(table.liveRows).toBeGreaterThan(0);
    }
    expect(await schemaExists(REBUILD_SCHEMA)).toBe(false);
  });

  it('folds the streams in partitions, each its own share, into the same views', async () => {
    const partitioned = new ProjectionRebuild(dataSource, store, INLINE_PROJECTIONS, {
      partitions: 3,
    });

    const report = await partitioned.run({ batchSize: 11 });

    expect(report).toMatchObject({ identical: true, foldPartitions: 3, foldThreads: false });
    expect(report.tables.every((table) => table.rebuiltRows === table.liveRows)).toBe(true);
    await expect(
      new ProjectionRebuild(dataSource, store, INLINE_PROJECTIONS, { partitions: 0 }).run(),
    ).rejects.toThrow('1 or more partitions');
  });

  it('runs one at a time per database: another holder of the lock makes it refuse', async () => {
    const other = dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [AdvisoryLock.projectionRebuild]);
      await expect(rebuild.run()).rejects.toBeInstanceOf(RebuildInProgress);
      await other.query('SELECT pg_advisory_unlock($1)', [AdvisoryLock.projectionRebuild]);
    } finally {
      await other.release();
    }
    expect((await rebuild.run()).identical).toBe(true);
  });

  it('fails cleanly when a fold thread cannot run, and leaves nothing behind', async () => {
    const broken = new ProjectionRebuild(dataSource, store, INLINE_PROJECTIONS, {
      partitions: 2,
      threadScript: join(__dirname, 'no-such-fold-thread.js'),
    });

    await expect(broken.run()).rejects.toThrow(/no-such-fold-thread/);

    expect(await schemaExists(REBUILD_SCHEMA)).toBe(false);
    expect((await rebuild.run()).identical).toBe(true);
  });

  it('finds drifted rows, refuses to swap them in, and swaps with --force keeping names, keys and activity', async () => {
    const sessionsBefore = await rowsOf('update_session_view');
    const bytesBefore = await rowsOf('download_session_file_view');
    const indexesBefore = await definitions();
    const constraintsBefore = await constraints();
    const [victim] = await dataSource.query<[{ id: string }]>(
      'SELECT id FROM library_item_view ORDER BY id LIMIT 1',
    );
    await dataSource.query('DELETE FROM library_item_view WHERE id = $1', [victim.id]);
    await dataSource.query(`UPDATE library_view SET description = 'drifted'`);

    const refused = await rebuild.run({ swap: true });
    expect(refused.swapped).toBe(false);
    expect(refused.identical).toBe(false);
    expect(refused.tables.find((table) => table.table === 'library_item_view')).toMatchObject({
      missing: 0,
      extra: 1,
      different: 0,
      sampleKeys: [victim.id],
    });
    expect(refused.tables.find((table) => table.table === 'library_view')?.different).toBe(2);
    expect(totals(refused)).toEqual({ missing: 0, extra: 1, different: 2 });

    const forced = await rebuild.run({ swap: true, force: true });
    expect(forced).toMatchObject({ swapped: true, backupSchema: BACKUP_SCHEMA });
    expect(await rowsOf('update_session_view')).toEqual(sessionsBefore);
    expect(await rowsOf('download_session_file_view')).toEqual(bytesBefore);
    expect(
      (
        await dataSource.query<unknown[]>('SELECT 1 FROM library_item_view WHERE id = $1', [
          victim.id,
        ])
      ).length,
    ).toBe(1);
    expect(await dataSource.query(`SELECT DISTINCT description FROM library_view`)).toEqual([
      { description: '' },
    ]);
    expect(await definitions()).toEqual(indexesBefore);
    expect(await constraints()).toEqual(constraintsBefore);
    // The drifted tables are kept aside.
    expect(
      await dataSource.query(
        `SELECT count(*)::int AS count FROM ${BACKUP_SCHEMA}.library_item_view`,
      ),
    ).toEqual([
      { count: Number(forced.tables.find((t) => t.table === 'library_item_view')?.liveRows) },
    ]);

    const again = await rebuild.run();
    expect(again.identical).toBe(true);
  });

  it('leaves the service working on the swapped-in tables: projections, guards, cascades', async () => {
    await rebuild.run({ swap: true, dropOld: true });
    expect(await schemaExists(BACKUP_SCHEMA)).toBe(false);

    const { libraryId, activeItemId } = await traffic.mixed();
    // The one-ACTIVE-session-per-item index still vetoes a second session on the item.
    await expect(traffic.uploadSession(libraryId, activeItemId)).rejects.toMatchObject({
      code: 'RESOURCE_BUSY',
    });
    // The download file rows still go with their session (the foreign key cascades).
    const deleted = await traffic.downloadSession(libraryId, activeItemId, 'DeleteDownloadSession');
    expect(
      await dataSource.query('SELECT 1 FROM download_session_file_view WHERE session_id = $1', [
        deleted,
      ]),
    ).toEqual([]);
    expect((await rebuild.run()).identical).toBe(true);
  });

  it('misses no event appended while it runs', async () => {
    let writing = true;
    const written: string[] = [];
    const writer = (async () => {
      while (writing) {
        const libraryId = await traffic.library();
        const itemId = await traffic.item(libraryId);
        await traffic.complete(await traffic.uploadSession(libraryId, itemId), itemId);
        written.push(await traffic.downloadSession(libraryId, itemId));
      }
    })();
    const before = written.length;

    const report = await rebuild.run({ swap: true, batchSize: 5 });
    const duringRebuild = written.length - before;
    writing = false;
    await writer;

    expect(duringRebuild).toBeGreaterThan(0);
    expect(report.tables.filter((table) => !isIdentical(table))).toEqual([]);
    expect(report).toMatchObject({ identical: true, swapped: true });
    const present = await dataSource.query<{ id: string }[]>(
      'SELECT id FROM download_session_view WHERE id = ANY ($1)',
      [written],
    );
    expect(present.map((row) => row.id).sort()).toEqual([...written].sort());
    // A fresh replay finds nothing the swapped-in views lack.
    expect((await rebuild.run()).identical).toBe(true);
  });
});
