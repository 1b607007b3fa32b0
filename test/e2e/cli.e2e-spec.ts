import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';

import { Queue } from 'bullmq';

import { queueConnection } from '@cls/jobs';
import { ContentLibraryDriver, eventually, expectError, upload } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

// Every CLI run is a fresh Node process on a shared 2-core machine: seconds each.
jest.setTimeout(120_000);

const CLI = join(__dirname, '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let deployment: Deployment;
let alice: ContentLibraryDriver;

/** Runs the built CLI as an operator would, against the deployment's database and Redis. */
function cls(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...deployment.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function json<T>(...args: string[]): Promise<T> {
  const result = await cls(...args, '--json');
  if (result.code !== 0) throw new Error(`cls ${args.join(' ')}: ${result.code} ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

interface SessionRow {
  id: string;
  kind: string;
  state: string;
  libraryItemId: string;
  files?: { name: string; status: string; size?: number }[];
}

const traffic = {
  committed: '',
  failed: '',
  canceled: '',
  download: '',
  activeItem: '',
  activeSession: '',
};

beforeAll(async () => {
  deployment = await startDeployment('e2e_cli');
  alice = new ContentLibraryDriver('api', deployment.alice);
  const library = alice.value<string>(
    await alice.createLibrary({
      name: `lib-${randomUUID()}`,
      storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }],
    }),
  );
  const item = alice.value<string>(await alice.createItem({ library_id: library, name: 'disk' }));
  const bytes = randomBytes(64 * 1024);

  traffic.committed = alice.value<string>(await alice.createSession({ library_item_id: item }));
  const added = alice.value<{ upload_endpoint: { uri: string } }>(
    await alice.addFile(traffic.committed, {
      name: 'disk.iso',
      source_type: 'PUSH',
      size: bytes.length,
    }),
  );
  await upload(added.upload_endpoint.uri, bytes);
  await alice.action(traffic.committed, 'complete');

  traffic.failed = alice.value<string>(await alice.createSession({ library_item_id: item }));
  await alice.action(traffic.failed, 'fail', { client_error_message: 'gave up' });
  traffic.canceled = alice.value<string>(await alice.createSession({ library_item_id: item }));
  await alice.action(traffic.canceled, 'cancel');

  // A malformed job (no item id): the worker fails it, and it lands among the failed jobs.
  const { prefix } = queueConnection({
    redisUrl: 'unused',
    redisPrefix: deployment.env.REDIS_PREFIX!,
  });
  const cleanup = new Queue('session-cleanup', {
    connection: { host: '127.0.0.1', port: 6379 },
    prefix,
  });
  await cleanup.add(
    'collect-garbage',
    { causationId: 'e2e' },
    { jobId: 'e2e-malformed', attempts: 1 },
  );
  await cleanup.close();

  traffic.download = alice.value<string>(
    await alice.createDownloadSession({ library_item_id: item }),
  );
  const prepared = alice.value<{ download_endpoint: { uri: string } }>(
    await alice.prepareDownloadFile(traffic.download, 'disk.iso'),
  );
  expect((await fetch(prepared.download_endpoint.uri)).status).toBe(200);

  traffic.activeItem = alice.value<string>(
    await alice.createItem({ library_id: library, name: 'open' }),
  );
  traffic.activeSession = alice.value<string>(
    await alice.createSession({ library_item_id: traffic.activeItem }),
  );
}, 120_000);

afterAll(() => deployment?.stop());

describe('the operator CLI (npm run cls)', () => {
  it('sessions: every kind, filtered by item, state and kind; tables or JSON', async () => {
    const all = await json<SessionRow[]>('sessions');
    expect(all.map((session) => [session.id, session.kind, session.state]).sort()).toEqual(
      [
        [traffic.committed, 'update', 'DONE'],
        [traffic.failed, 'update', 'ERROR'],
        [traffic.canceled, 'update', 'CANCELED'],
        [traffic.download, 'download', 'ACTIVE'],
        [traffic.activeSession, 'update', 'ACTIVE'],
      ].sort(),
    );
    expect(
      (await json<SessionRow[]>('sessions', '--kind', 'download')).map((session) => session.id),
    ).toEqual([traffic.download]);
    expect(
      (await json<SessionRow[]>('sessions', '--state', 'active', '--item', traffic.activeItem)).map(
        (session) => session.id,
      ),
    ).toEqual([traffic.activeSession]);

    const table = await cls('sessions', '--state', 'DONE');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^id\s+kind\s+state\s+item\s+owner/);
    expect(table.stdout).toContain(traffic.committed);
    expect(table.stdout).not.toContain(traffic.activeSession);

    expect((await cls('sessions', '--kind', 'sideways')).code).toBe(2);
  });

  it('session: one session with its files; an unknown id exits 1', async () => {
    expect(await json<SessionRow>('session', traffic.committed)).toMatchObject({
      id: traffic.committed,
      kind: 'update',
      state: 'DONE',
      files: [{ name: 'disk.iso', status: 'READY', size: 64 * 1024 }],
    });
    expect(await json<SessionRow>('session', traffic.download)).toMatchObject({
      kind: 'download',
      files: [{ name: 'disk.iso', status: 'PREPARED', endpoint: 'HTTPS' }],
    });
    const unknown = await cls('session', randomUUID());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no update or download session');
  });

  it("history: a session's events with their actors, as JSON lines or a table", async () => {
    const result = await cls('history', traffic.committed, '--json');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; actor: string; stream_version: number });
    expect(lines.map((line) => [line.stream_version, line.type, line.actor])).toEqual([
      [1, 'UpdateSessionCreated', 'alice'],
      [2, 'UpdateSessionFileAdded', 'alice'],
      [3, 'UpdateSessionFileTransferStarted', 'data-plane:alice'],
      [4, 'UpdateSessionFileReceived', 'data-plane:alice'],
      [5, 'UpdateSessionCompleted', 'alice'],
    ]);
    const table = await cls('history', traffic.download);
    expect(table.stdout).toMatch(/^time\s+v\s+type\s+actor\s+correlation/);
    expect(table.stdout).toContain('DownloadSessionCreated');
    const unknown = await cls('history', randomUUID());
    expect(unknown.code).toBe(1);
    expect((await cls('history')).code).toBe(2);
  });

  it('queues: depth of every queue by state and the failed job with its reason', async () => {
    const overview = await eventually(
      () =>
        json<{
          depths: { queue: string; completed: number; delayed: number; failed: number }[];
          lastFailed: { queue: string; name: string; id: string; reason: string }[];
        }>('queues'),
      (found) => found.lastFailed.length > 0,
      { timeoutMs: 60_000, intervalMs: 1_000, what: 'the malformed job to fail' },
    );
    expect(overview.depths.map((depth) => depth.queue).sort()).toEqual([
      'session-cleanup',
      'session-expiration',
      'session-transfer',
      'session-validation',
    ]);
    expect(
      overview.depths.find((depth) => depth.queue === 'session-expiration')?.delayed,
    ).toBeGreaterThan(0);
    expect(overview.depths.find((depth) => depth.queue === 'session-cleanup')?.failed).toBe(1);
    expect(overview.lastFailed).toEqual([
      expect.objectContaining({
        queue: 'session-cleanup',
        name: 'collect-garbage',
        id: 'e2e-malformed',
        reason: expect.stringContaining('has no itemId'),
      }),
    ]);
    const table = await cls('queues');
    expect(table.stdout).toMatch(/^queue\s+waiting\s+active\s+delayed\s+failed\s+completed/);
    expect(table.stdout).toContain('e2e-malformed');
  });

  it('rebuild --swap: identical views swapped in, and the service keeps working on them', async () => {
    const result = await json<{
      events: number;
      eventsPerSecond: number;
      foldPartitions: number;
      foldThreads: boolean;
      identical: boolean;
      swapped: boolean;
      tables: {
        table: string;
        liveRows: number;
        missing: number;
        extra: number;
        different: number;
      }[];
    }>('rebuild', '--swap', '--threads', '3');
    // Folded on three threads, each its own share of the streams.
    expect(result).toMatchObject({
      identical: true,
      swapped: true,
      foldPartitions: 3,
      foldThreads: true,
    });
    expect(result.events).toBeGreaterThan(10);
    expect(result.eventsPerSecond).toBeGreaterThan(0);
    for (const table of result.tables) {
      expect(table).toMatchObject({ missing: 0, extra: 0, different: 0 });
    }

    // Reads, writes and the one-ACTIVE-session guard all run on the swapped-in tables.
    expect(
      alice.value<{ state: string }>(await alice.getSession(traffic.activeSession)).state,
    ).toBe('ACTIVE');
    expectError(
      'api',
      await alice.createSession({ library_item_id: traffic.activeItem }),
      'RESOURCE_BUSY',
    );
    expect((await alice.action(traffic.activeSession, 'cancel')).status).toBe(alice.ok('void'));
    const next = alice.value<string>(
      await alice.createSession({ library_item_id: traffic.activeItem }),
    );
    expect((await json<SessionRow>('session', next)).state).toBe('ACTIVE');

    const check = await cls('rebuild');
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/replayed \d+ events in [\d.]+ s: \d+ events\/s/);
    expect(check.stdout).toContain('views identical; not swapped (pass --swap)');
    expect((await cls('rebuild', '--threads', '0')).code).toBe(2);
  });
});
