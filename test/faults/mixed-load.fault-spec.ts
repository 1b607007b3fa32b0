import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import type {
  HttpResult,
  PrivatePostgres,
  PrivateRedis,
  ServiceProcess,
  SourceServer,
} from '@cls/testing';
import {
  ContentLibraryDriver,
  eventually,
  ServiceProcess as Service,
  startPrivatePostgres,
  startPrivateRedis,
  startSourceServer,
  upload,
} from '@cls/testing';

import type { Deployment } from '../e2e/deployment';
import { startDeployment } from '../e2e/deployment';

/**
 * Clients push, pull, cancel and download against one API and two workers while a worker is
 * SIGKILLed, Redis restarts empty, Postgres stops for a while (on servers of this spec's own) and
 * the API is SIGKILLed and started again on its port. They act as
 * real clients do: a 503 is retried, a body whose answer was lost is confirmed or sent again.
 * Afterwards the invariants hold: every item holds the bytes of its last session whose `complete`
 * was answered 2xx and every download gave those bytes, no such session ended CANCELED, no
 * answer was a 5xx other than 503, nothing
 * is left TRANSFERRING with all its bytes, no process exited by itself, every log line is JSON,
 * and a projection rebuild finds the views equal to the events.
 */
jest.setTimeout(300_000);

const CLIENTS = 8;
const ROUNDS = 6;
const CLI = resolve(__dirname, '..', '..', 'dist', 'apps', 'cli', 'src', 'main.js');

let postgres: PrivatePostgres;
let redis: PrivateRedis;
let source: SourceServer;
let deployment: Deployment;
let alice: ContentLibraryDriver;
const workers: ServiceProcess[] = [];
/** The API that replaced the killed one, on the same port. */
let restartedApi: ServiceProcess | undefined;

beforeAll(async () => {
  [source, postgres, redis] = await Promise.all([
    startSourceServer({ size: 1024 * 1024 }),
    startPrivatePostgres(),
    startPrivateRedis(),
  ]);
  deployment = await startDeployment(
    'faults_mixed',
    { PULL_ALLOWED_NETWORKS: '127.0.0.0/8', PULL_STALL_SECONDS: '3' },
    { postgres: postgres.url, redis: redis.url },
  );
  workers.push(await Service.worker(deployment.env));
  alice = new ContentLibraryDriver('api', deployment.alice);
}, 120_000);

afterAll(async () => {
  await Promise.all([...workers, ...(restartedApi ? [restartedApi] : [])].map((s) => s.stop()));
  await deployment?.stop();
  await Promise.all([source?.close(), postgres?.stop(), redis?.stop()]);
});

/** Answers that are neither a success, a 4xx, nor a 503 while a server was down. */
const serverErrors: string[] = [];
/** Downloads whose bytes were not the item's content as its last completed session left it. */
const wrongDownloads: string[] = [];
/** How often a call was answered 503 (or not at all): the faults met the load. */
let unavailable = 0;
/** The clients go on until the last fault is over. */
let faultsOver = false;

/** Sends `call` again while it answers 503 (a server is away) or the connection fails. */
async function retrying(what: string, call: () => Promise<HttpResult>): Promise<HttpResult> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const result = await call().catch(() => undefined);
    if (result !== undefined && result.status !== 503) {
      if (result.status >= 500) serverErrors.push(`${what}: ${result.status}`);
      return result;
    }
    unavailable += 1;
    if (Date.now() > deadline) throw new Error(`${what}: still unavailable after 60 s`);
    await sleep(250);
  }
}

interface Completed {
  readonly session: string;
  readonly kind: 'push' | 'pull';
}

interface ItemHistory {
  readonly item: string;
  /** The bytes of the last session whose complete was answered 2xx and that ended DONE. */
  expected?: Buffer;
  readonly completed: Completed[];
  readonly sessions: string[];
}

const stateOf = async (session: string): Promise<string> =>
  alice.value<{ state: string }>(await retrying('get session', () => alice.getSession(session)))
    .state;

async function newSessionOn(history: ItemHistory): Promise<string> {
  const token = randomUUID();
  const session = alice.value<string>(
    await retrying('create session', () =>
      alice.createSession({ library_item_id: history.item }, token),
    ),
  );
  history.sessions.push(session);
  return session;
}

async function addFile(
  session: string,
  spec: Record<string, unknown>,
): Promise<string | undefined> {
  const added = await retrying('add file', () => alice.addFile(session, spec));
  // An add whose answer was lost finds the file there already.
  const info =
    added.status === 201
      ? added
      : await retrying('get file', () => alice.getFile(session, 'data.bin'));
  return alice.value<{ upload_endpoint?: { uri: string } }>(info).upload_endpoint?.uri;
}

/** PUTs the whole body until it is received (a lost answer: the file is READY already). */
async function putWhole(session: string, uri: string, bytes: Buffer): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const status = await upload(uri, bytes).then(
      (result) => result.status,
      () => 0,
    );
    if (status === 200) return;
    if (status >= 500 && status !== 503) serverErrors.push(`upload: ${status}`);
    const file = alice.value<{ status: string }>(
      await retrying('get file', () => alice.getFile(session, 'data.bin')),
    );
    if (file.status === 'READY') return;
    await sleep(250);
  }
  throw new Error(`upload to ${session} never went through`);
}

/** Completes until answered; a lost answer finds the session ended already. */
async function complete(session: string): Promise<boolean> {
  const answer = await retrying('complete', () => alice.action(session, 'complete'));
  if (answer.status === 204) return true;
  return (await stateOf(session)) === 'DONE';
}

async function pushRound(history: ItemHistory): Promise<void> {
  const session = await newSessionOn(history);
  const bytes = randomBytes(randomInt(64 * 1024, 512 * 1024));
  const uri = await addFile(session, { name: 'data.bin', source_type: 'PUSH', size: bytes.length });
  await putWhole(session, uri!, bytes);
  if (await complete(session)) {
    history.completed.push({ session, kind: 'push' });
    history.expected = bytes;
  }
}

async function pullRound(history: ItemHistory): Promise<void> {
  const session = await newSessionOn(history);
  await addFile(session, {
    name: 'data.bin',
    source_type: 'PULL',
    source_endpoint: { uri: `${source.baseUrl}/file.bin?s=${session}` },
  });
  if (!(await complete(session))) return;
  history.completed.push({ session, kind: 'pull' });
  const ended = await eventually(
    () => stateOf(session),
    (state) => state !== 'ACTIVE',
    { timeoutMs: 120_000, intervalMs: 250, what: `pull session ${session} ended` },
  );
  if (ended === 'DONE') history.expected = source.bytes;
}

async function cancelRound(history: ItemHistory): Promise<void> {
  const session = await newSessionOn(history);
  const bytes = randomBytes(100 * 1024);
  const uri = await addFile(session, { name: 'data.bin', source_type: 'PUSH', size: bytes.length });
  await upload(uri!, bytes.subarray(0, 50 * 1024), {
    headers: { 'content-range': `bytes 0-${50 * 1024 - 1}/${bytes.length}` },
  }).catch(() => undefined);
  await retrying('cancel', () => alice.action(session, 'cancel'));
}

/** Reads a data-plane URL, retrying while the service is away. */
async function fetchBytes(uri: string): Promise<Buffer> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(uri).catch(() => undefined);
    const status = response?.status ?? 0;
    if (status === 200) {
      // The API may die while the body streams: then the read is retried whole.
      const body = await response!.arrayBuffer().catch(() => undefined);
      if (body !== undefined) return Buffer.from(body);
    } else {
      await response?.body?.cancel();
      if (status >= 500 && status !== 503) serverErrors.push(`download: ${status}`);
      if (status !== 0 && status < 500) throw new Error(`download of ${uri}: ${status}`);
    }
    unavailable += 1;
    if (Date.now() > deadline) throw new Error(`download of ${uri}: unavailable after 60 s`);
    await sleep(250);
  }
}

async function downloadRound(history: ItemHistory): Promise<void> {
  const expected = history.expected;
  if (expected === undefined) return pushRound(history);
  const token = randomUUID();
  const session = alice.value<string>(
    await retrying('create download session', () =>
      alice.createDownloadSession({ library_item_id: history.item }, token),
    ),
  );
  const prepared = alice.value<{ download_endpoint?: { uri: string } }>(
    await retrying('prepare', () => alice.prepareDownloadFile(session, 'data.bin')),
  );
  const bytes = await fetchBytes(prepared.download_endpoint!.uri);
  if (!bytes.equals(expected)) wrongDownloads.push(`${history.item} via ${session}`);
}

async function client(index: number): Promise<ItemHistory> {
  const { itemId } = await alice.newLibraryItem();
  const history: ItemHistory = { item: itemId, completed: [], sessions: [] };
  const rounds = [pushRound, pullRound, downloadRound, cancelRound];
  for (let round = 0; round < ROUNDS || !faultsOver; round += 1)
    await rounds[(index + round) % rounds.length]!(history);
  return history;
}

/** The faults, a few seconds apart, while the clients work. */
async function faults(): Promise<void> {
  await sleep(2_000);
  await workers.shift()!.stop('SIGKILL');
  workers.push(await Service.worker(deployment.env));
  await sleep(2_000);
  await redis.restartEmpty();
  await sleep(2_000);
  await postgres.halt();
  await sleep(2_000);
  await postgres.start();
  await sleep(2_000);
  await deployment.api.stop('SIGKILL');
  restartedApi = await Service.api(deployment.env, [], deployment.api.port);
  faultsOver = true;
}

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

it('mixed pushes, pulls, downloads and cancels through a worker crash, an empty Redis, a Postgres stop and an API crash keep every invariant', async () => {
  const [histories] = await Promise.all([
    Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index))),
    faults(),
  ]);

  expect(unavailable).toBeGreaterThan(0);
  expect(serverErrors).toEqual([]);
  expect(wrongDownloads).toEqual([]);
  for (const history of histories) {
    for (const { session } of history.completed)
      expect([session, await stateOf(session)]).not.toEqual([session, 'CANCELED']);
    const files = alice.value<{ name: string; checksum_info: { checksum: string } }[]>(
      await alice.itemFiles(history.item),
    );
    expect(files.map((file) => [file.name, file.checksum_info.checksum])).toEqual(
      history.expected === undefined ? [] : [['data.bin', sha1(history.expected)]],
    );
    for (const session of history.sessions) {
      if ((await stateOf(session)) !== 'ACTIVE') continue;
      const unfinished = alice
        .value<{ status: string; size?: number; bytes_transferred: number }[]>(
          await alice.listFiles(session),
        )
        .filter((file) => file.status === 'TRANSFERRING' && file.bytes_transferred === file.size);
      expect(unfinished).toEqual([]);
    }
  }

  for (const service of [restartedApi!, deployment.worker, ...workers])
    expect(service.running).toBe(true);
  for (const service of [deployment.api, restartedApi!, deployment.worker, ...workers]) {
    expect(service.linesNotJson).toEqual([]);
  }

  const rebuild = await promisify(execFile)(process.execPath, [CLI, 'rebuild'], {
    env: { ...process.env, ...deployment.env },
    timeout: 120_000,
  });
  expect(rebuild.stdout).toContain('views identical');
});
