import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { PrivatePostgres, PrivateRedis, ServiceProcess, SourceServer } from '@cls/testing';
import {
  ContentLibraryDriver,
  eventually,
  ServiceProcess as Service,
  startPrivatePostgres,
  startPrivateRedis,
  startSourceServer,
  tricklePut,
  upload,
} from '@cls/testing';

import type { Deployment } from '../e2e/deployment';
import { startDeployment } from '../e2e/deployment';

/**
 * Workers die, Redis and Postgres restart, and nothing acknowledged is lost. The deployment runs on
 * a Postgres cluster and a Redis of its own, on free ports, which these tests stop and restart:
 * the machine's shared servers are never touched. They run in band (`npm run test:faults`) for
 * their timing, not for isolation.
 */
jest.setTimeout(120_000);

const MiB = 1024 * 1024;
let deployment: Deployment;
let postgres: PrivatePostgres;
let redis: PrivateRedis;
let source: SourceServer;
let small: SourceServer;
let alice: ContentLibraryDriver;
const extraWorkers: ServiceProcess[] = [];

beforeAll(async () => {
  [source, small, postgres, redis] = await Promise.all([
    startSourceServer({ size: 200 * MiB }),
    startSourceServer({ size: 2 * MiB }),
    startPrivatePostgres(),
    startPrivateRedis(),
  ]);
  deployment = await startDeployment(
    'faults',
    {
      PULL_ALLOWED_NETWORKS: '127.0.0.0/8',
      PULL_STALL_SECONDS: '3',
      // Long enough for a client to confirm first, short enough for the test to wait out.
      STAGED_UPLOAD_CONFIRM_SECONDS: '10',
    },
    { postgres: postgres.url, redis: redis.url },
  );
  alice = new ContentLibraryDriver('api', deployment.alice);
}, 120_000);

afterAll(async () => {
  await Promise.all(extraWorkers.map((worker) => worker.stop()));
  await deployment?.stop();
  await Promise.all([source?.close(), small?.close(), postgres?.stop(), redis?.stop()]);
});

async function newSession(): Promise<{ item: string; session: string }> {
  const { itemId: item } = await alice.newLibraryItem({ name: 'x' });
  const session = alice.value<string>(await alice.createSession({ library_item_id: item }));
  return { item, session };
}

async function pullAndComplete(session: string, uri: string, sha256?: string): Promise<void> {
  const added = await alice.addFile(session, {
    name: 'pulled.bin',
    source_type: 'PULL',
    source_endpoint: { uri },
    ...(sha256 ? { checksum_info: { algorithm: 'SHA256', checksum: sha256 } } : {}),
  });
  expect(added.status).toBe(201);
  expect((await alice.action(session, 'complete')).status).toBe(204);
}

const stateOf = async (session: string) =>
  alice.value<{ state: string }>(await alice.getSession(session)).state;
const bytesOf = async (session: string) =>
  alice.value<{ bytes_transferred: number }>(await alice.getFile(session, 'pulled.bin'))
    .bytes_transferred;

it('a worker SIGKILLed during a 200 MiB pull: another worker resumes it and the session ends DONE', async () => {
  const { item, session } = await newSession();
  // 4 MiB every 100 ms: about five seconds for the whole file.
  await pullAndComplete(session, `${source.baseUrl}/slow.bin?chunk=${4 * MiB}`, source.sha256);
  await eventually(
    () => bytesOf(session),
    (bytes) => bytes > 20 * MiB,
    {
      timeoutMs: 30_000,
      what: 'pull under way',
    },
  );
  extraWorkers.push(await Service.worker(deployment.env));
  await deployment.worker.stop('SIGKILL');
  const killedAt = await bytesOf(session);
  expect(killedAt).toBeLessThan(200 * MiB);

  await eventually(
    () => stateOf(session),
    (state) => state !== 'ACTIVE',
    {
      timeoutMs: 90_000,
      intervalMs: 500,
      what: 'session finished after the worker died',
    },
  );
  expect(await stateOf(session)).toBe('DONE');
  const [stored] = alice.value<{ storage_uris: string[] }[]>(await alice.itemStorage(item));
  const bytes = readFileSync(fileURLToPath(stored!.storage_uris[0]!));
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(source.sha256);
  // The second worker continued from the staged bytes instead of starting over.
  expect(source.requests.some((request) => request.range !== undefined)).toBe(true);
});

it('a worker stopped with SIGTERM mid-pull exits cleanly and hands the pull on at once', async () => {
  const { item, session } = await newSession();
  const requestsBefore = source.requests.length;
  await pullAndComplete(session, `${source.baseUrl}/slow.bin?chunk=${4 * MiB}&t=1`, source.sha256);
  await eventually(
    () => bytesOf(session),
    (bytes) => bytes > 20 * MiB,
    {
      timeoutMs: 30_000,
      what: 'pull under way',
    },
  );
  const running = extraWorkers.shift()!;
  extraWorkers.push(await Service.worker(deployment.env));
  expect(await running.stop('SIGTERM')).toBe(0);
  // Released, not stalled: the next worker resumes with a Range well before a lock could lapse.
  await eventually(
    () => source.requests.slice(requestsBefore).some((request) => request.range !== undefined),
    (resumed) => resumed,
    { timeoutMs: 10_000, what: 'pull resumed by the other worker' },
  );
  await eventually(
    () => stateOf(session),
    (state) => state !== 'ACTIVE',
    {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'session finished',
    },
  );
  expect(await stateOf(session)).toBe('DONE');
  expect(alice.value<{ name: string }[]>(await alice.itemFiles(item))).toHaveLength(1);
});

it('Redis restarted (losing every key) during load: every session still finishes', async () => {
  const sessions = await Promise.all(Array.from({ length: 8 }, () => newSession()));
  // 128 KiB every 100 ms: under two seconds each, so the restart lands mid-flight.
  for (const { session } of sessions) {
    await pullAndComplete(session, `${small.baseUrl}/slow.bin?chunk=${128 * 1024}&s=${session}`);
  }
  await redis.restartEmpty();
  for (const { session } of sessions) {
    await eventually(
      () => stateOf(session),
      (state) => state !== 'ACTIVE',
      {
        timeoutMs: 90_000,
        intervalMs: 500,
        what: `session ${session} finished`,
      },
    );
    expect(await stateOf(session)).toBe('DONE');
  }
});

it('Postgres restarted: the API answers 503 meanwhile, then everything acknowledged is there', async () => {
  const { session } = await newSession();
  expect((await alice.action(session, 'keep-alive', { client_progress: 42 })).status).toBe(204);
  await postgres.halt();
  try {
    const during = await alice.getSession(session);
    expect(during.status).toBe(503);
    expect(JSON.stringify(during.body)).toContain('service_unavailable');
    expect((await fetch(`${deployment.api.baseUrl}/readyz`)).status).toBe(503);
  } finally {
    await postgres.start();
  }
  const after = await eventually(
    () => alice.getSession(session),
    (result) => result.status === 200,
    { timeoutMs: 30_000, what: 'API back' },
  );
  expect(alice.value<{ state: string; client_progress: number }>(after)).toMatchObject({
    state: 'ACTIVE',
    client_progress: 42,
  });
  // The workers reconnected too: a pull after the restart completes.
  const later = await newSession();
  await pullAndComplete(later.session, `${small.baseUrl}/file.bin`);
  await eventually(
    () => stateOf(later.session),
    (state) => state === 'DONE',
    {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'pull after the Postgres restart',
    },
  );
});

it('PUTs whose bodies were all staged while Postgres went away are recorded later: one confirmed by its client with bytes */size, one by the sweep, without a byte sent again', async () => {
  // 64 KiB every 100 ms: about 3 s, so Postgres stops while the bodies are still arriving.
  const uploads = await Promise.all(
    ['by client', 'by sweep'].map(async () => {
      const { item, session } = await newSession();
      const bytes = randomBytes(2 * MiB);
      const info = alice.value<{ upload_endpoint: { uri: string } }>(
        await alice.addFile(session, { name: 'disk.iso', source_type: 'PUSH', size: bytes.length }),
      );
      return { item, session, bytes, uri: info.upload_endpoint.uri };
    }),
  );
  const putting = uploads.map(({ uri, bytes }) => tricklePut(uri, bytes));
  for (const { session } of uploads)
    await eventually(
      async () =>
        alice.value<{ bytes_transferred: number }>(await alice.getFile(session, 'disk.iso'))
          .bytes_transferred,
      (received) => received > 0,
      { timeoutMs: 10_000, what: 'the uploads under way' },
    );
  await postgres.halt();
  try {
    // The bodies end while their receipts cannot be recorded.
    expect(await Promise.all(putting)).toEqual([503, 503]);
  } finally {
    await postgres.start();
  }
  const [byClient, bySweep] = uploads as [(typeof uploads)[0], (typeof uploads)[0]];
  await eventually(
    () => alice.getSession(byClient.session),
    (result) => result.status === 200,
    { timeoutMs: 30_000, what: 'API back' },
  );

  const confirmed = await upload(byClient.uri, Buffer.alloc(0), {
    headers: { 'content-range': `bytes */${byClient.bytes.length}` },
  });
  expect(confirmed.status).toBe(200);
  await eventually(
    async () =>
      alice.value<{ status: string }>(await alice.getFile(bySweep.session, 'disk.iso')).status,
    (status) => status === 'READY',
    { timeoutMs: 40_000, intervalMs: 500, what: 'the sweep recording the staged upload' },
  );
  for (const { item, session, bytes } of uploads) {
    expect(
      alice.value<{ status: string; size: number }>(await alice.getFile(session, 'disk.iso')),
    ).toMatchObject({ status: 'READY', size: bytes.length });
    expect((await alice.action(session, 'complete')).status).toBe(204);
    const [stored] = alice.value<{ checksum_info: { checksum: string } }[]>(
      await alice.itemFiles(item),
    );
    expect(stored?.checksum_info.checksum).toBe(createHash('sha1').update(bytes).digest('hex'));
  }
});

it('pulls canceled, deleted with their item or cut off by their source mid-transfer end cleanly, and the workers stay up', async () => {
  const startPull = async (uri: string) => {
    const { item, session } = await newSession();
    const added = await alice.addFile(session, {
      name: 'pulled.bin',
      source_type: 'PULL',
      source_endpoint: { uri },
    });
    expect(added.status).toBe(201);
    return { item, session };
  };
  const underWay = (session: string) =>
    eventually(
      () => bytesOf(session),
      (bytes) => bytes > 2 * MiB,
      { timeoutMs: 30_000, what: `pull of ${session} under way` },
    );
  // 256 KiB every 100 ms from the 200 MiB source: these pulls are still running when they end.
  const slow = (tag: string) => `${source.baseUrl}/slow.bin?chunk=${256 * 1024}&${tag}`;

  const canceled = await startPull(slow('canceled'));
  const deleted = await startPull(slow('deleted'));
  await Promise.all([underWay(canceled.session), underWay(deleted.session)]);
  expect((await alice.action(canceled.session, 'cancel')).status).toBe(204);
  expect((await alice.deleteItem(deleted.item)).status).toBe(204);
  for (const { session } of [canceled, deleted]) expect(await stateOf(session)).toBe('CANCELED');

  // The source drops the connection half-way once; the pull resumes from what it staged.
  const cut = await newSession();
  await pullAndComplete(cut.session, `${small.baseUrl}/truncated.bin?s=${cut.session}`);
  await eventually(
    () => stateOf(cut.session),
    (state) => state !== 'ACTIVE',
    { timeoutMs: 60_000, intervalMs: 250, what: 'the cut-off pull finished' },
  );
  expect(await stateOf(cut.session)).toBe('DONE');
  const [stored] = alice.value<{ checksum_info: { checksum: string } }[]>(
    await alice.itemFiles(cut.item),
  );
  expect(stored?.checksum_info.checksum).toBe(createHash('sha1').update(small.bytes).digest('hex'));
});

it('through all of the above, no process exited by itself and every line logged was JSON', () => {
  // The first worker was killed on purpose; the ones left in `extraWorkers` were never stopped.
  for (const service of [deployment.api, ...extraWorkers]) expect(service.running).toBe(true);
  for (const service of [deployment.api, deployment.worker, ...extraWorkers]) {
    expect(service.linesNotJson).toEqual([]);
  }
});
