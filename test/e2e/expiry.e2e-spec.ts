import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import {
  ContentLibraryDriver,
  eventually,
  hasStagedBytes,
  slowUpload,
  startSourceServer,
  upload,
} from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

// Each case waits out one or two session timeouts. How late an expiry fires is a performance figure
// (`npm run bench -- expiry`); these cases assert only what happens, and never too early.
const TIMEOUT_SECONDS = 3;
/** Generous: a loaded CI machine runs many deployments at once. */
const EXPIRY_WAIT_MS = (TIMEOUT_SECONDS + 20) * 1000;
const KEEP_ALIVE_PERIOD_MS = 1_000;
const COMPLETION_TIMEOUT_SECONDS = 8;
jest.setTimeout(EXPIRY_WAIT_MS + 30_000);
let deployment: Deployment;
let alice: ContentLibraryDriver;

beforeAll(async () => {
  deployment = await startDeployment('e2e_expiry', {
    SESSION_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
    COMPLETION_TIMEOUT_SECONDS: String(COMPLETION_TIMEOUT_SECONDS),
    // A stalled source holds its pull far longer than the completion deadline.
    PULL_STALL_SECONDS: '60',
    PULL_ALLOWED_NETWORKS: '127.0.0.0/8',
  });
  alice = new ContentLibraryDriver('api', deployment.alice);
}, 60_000);

afterAll(() => deployment?.stop());

async function newSession(): Promise<string> {
  const { itemId } = await alice.newLibraryItem();
  return alice.value<string>(await alice.createSession({ library_item_id: itemId }));
}

const stateOf = async (session: string): Promise<string | number> => {
  const result = await alice.getSession(session);
  return result.status === 200 ? alice.value<{ state: string }>(result).state : result.status;
};

describe(`expiry with SESSION_TIMEOUT_SECONDS=${TIMEOUT_SECONDS} (contract §8.5)`, () => {
  it('expires an idle session after its timeout, deletes its bytes, then purges it', async () => {
    const session = await newSession();
    const lastActivityNotBefore = Date.now();
    const info = alice.value<{ upload_endpoint: { uri: string } }>(
      await alice.addFile(session, { name: 'a.bin', source_type: 'PUSH', size: 100 }),
    );
    await upload(info.upload_endpoint.uri, Buffer.alloc(40), {
      headers: { 'content-range': 'bytes 0-39/100' },
    });
    const staged = () => hasStagedBytes(deployment.env.STORAGE_ROOT!, session);
    expect(staged()).toBe(true);
    await eventually(
      () => stateOf(session),
      (state) => state === 'CANCELED',
      { timeoutMs: EXPIRY_WAIT_MS, intervalMs: 50, what: 'session expired' },
    );
    expect(Date.now() - lastActivityNotBefore).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000);
    await eventually(staged, (exists) => !exists, {
      what: 'staged bytes deleted',
    });
    expect((await upload(info.upload_endpoint.uri, Buffer.alloc(60))).status).toBe(404);
    // Kept one more timeout for clients to read, then gone: 404 (history stays).
    await eventually(
      () => stateOf(session),
      (state) => state === 404,
      { timeoutMs: EXPIRY_WAIT_MS, what: 'session purged' },
    );
    // The history outlives the view, and says the expiry worker did it.
    const history = await deployment.admin.request<{ events: { type: string; actor: string }[] }>(
      'GET',
      `/api/cls/update-sessions/${session}/history`,
    );
    expect(history.status).toBe(200);
    expect(history.body.events.slice(-2)).toEqual([
      expect.objectContaining({ type: 'UpdateSessionExpired', actor: 'system:expiration' }),
      expect.objectContaining({ type: 'UpdateSessionPurged', actor: 'system:expiration' }),
    ]);
  });

  it('an idle download session is removed after its timeout; a kept-alive one survives', async () => {
    const { itemId: item } = await alice.newLibraryItem();
    const createdAt = Date.now();
    const idle = alice.value<string>(await alice.createDownloadSession({ library_item_id: item }));
    const kept = alice.value<string>(await alice.createDownloadSession({ library_item_id: item }));
    const idleRemoved = new AbortController();
    const keeping = (async () => {
      for (let beat = 0; !idleRemoved.signal.aborted; beat += 1) {
        await sleep(KEEP_ALIVE_PERIOD_MS);
        expect((await alice.downloadAction(kept, 'keep-alive', { progress: beat })).status).toBe(
          alice.ok('void'),
        );
      }
    })();
    await eventually(
      async () => (await alice.getDownloadSession(idle)).status,
      (status) => status === 404,
      { timeoutMs: EXPIRY_WAIT_MS, intervalMs: 50, what: 'download session removed' },
    );
    expect(Date.now() - createdAt).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000);
    idleRemoved.abort();
    await keeping;
    expect((await alice.getDownloadSession(kept)).status).toBe(200);
  });

  it("an expired download session's URL answers 404 and its pinned version is collected", async () => {
    const session = await newSession();
    const item = alice.value<{ library_item_id: string }>(
      await alice.getSession(session),
    ).library_item_id;
    const commit = async (id: string, bytes: Buffer): Promise<string> => {
      const added = alice.value<{ upload_endpoint: { uri: string } }>(
        await alice.addFile(id, { name: 'disk.iso', source_type: 'PUSH', size: bytes.length }),
      );
      await upload(added.upload_endpoint.uri, bytes);
      expect((await alice.action(id, 'complete')).status).toBe(alice.ok('void'));
      const [storage] = alice.value<{ storage_uris: string[] }[]>(
        await alice.itemStorage(item, 'disk.iso'),
      );
      return fileURLToPath(storage!.storage_uris[0]!);
    };
    const pinnedPath = await commit(session, Buffer.alloc(100, 1));
    const download = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: item }),
    );
    const uri = alice.value<{ download_endpoint: { uri: string } }>(
      await alice.prepareDownloadFile(download, 'disk.iso'),
    ).download_endpoint.uri;
    const current = Buffer.alloc(200, 2);
    const currentPath = await commit(
      alice.value<string>(await alice.createSession({ library_item_id: item })),
      current,
    );
    await eventually(
      async () => (await alice.getDownloadSession(download)).status,
      (status) => status === 404,
      { timeoutMs: EXPIRY_WAIT_MS, what: 'download session removed' },
    );
    expect((await fetch(uri)).status).toBe(404);
    await eventually(
      () => existsSync(pinnedPath),
      (exists) => !exists,
      { what: 'pinned version collected' },
    );
    expect(readFileSync(currentPath).equals(current)).toBe(true);
  });

  it('once complete is accepted with a pull in flight, the idle timeout no longer applies; a pull stuck for good ends ERROR at the completion deadline, never CANCELED', async () => {
    const source = await startSourceServer({ size: 1024 * 1024 });
    try {
      const session = await newSession();
      const requested = Date.now();
      expect(
        (
          await alice.addFile(session, {
            name: 'stuck.iso',
            source_type: 'PULL',
            source_endpoint: { uri: `${source.baseUrl}/stall.bin` },
          })
        ).status,
      ).toBe(201);
      expect((await alice.action(session, 'complete')).status).toBe(204);
      // Well past the idle deadline, with no activity at all: the service owes the work.
      await sleep((TIMEOUT_SECONDS + 2) * 1000);
      expect(await stateOf(session)).toBe('ACTIVE');

      await eventually(
        () => stateOf(session),
        (state) => state !== 'ACTIVE',
        { timeoutMs: EXPIRY_WAIT_MS, intervalMs: 100, what: 'the completion deadline' },
      );
      expect(Date.now() - requested).toBeGreaterThanOrEqual(COMPLETION_TIMEOUT_SECONDS * 1000);
      const ended = alice.value<{ state: string; error_message?: { default_message: string } }>(
        await alice.getSession(session),
      );
      expect(ended.state).toBe('ERROR');
      expect(ended.error_message?.default_message).toMatch(
        /did not finish by .*; files still in transfer: stuck\.iso\./,
      );
    } finally {
      await source.close();
    }
  });

  it('a session kept alive survives its timeout', async () => {
    const session = await newSession();
    for (let beat = 0; beat < 5; beat += 1) {
      await sleep(KEEP_ALIVE_PERIOD_MS);
      expect((await alice.action(session, 'keep-alive', {})).status).toBe(204);
    }
    expect(await stateOf(session)).toBe('ACTIVE');
  });

  it('a session receiving an upload survives its timeout, and expires once the upload stops', async () => {
    const session = await newSession();
    const total = 400_000;
    const info = alice.value<{ upload_endpoint: { uri: string } }>(
      await alice.addFile(session, { name: 'slow.bin', source_type: 'PUSH', size: total }),
    );
    expect(await slowUpload(info.upload_endpoint.uri, total, TIMEOUT_SECONDS * 2)).toBe(200);
    expect(await stateOf(session)).toBe('ACTIVE');
    await eventually(
      () => stateOf(session),
      (state) => state === 'CANCELED',
      { timeoutMs: EXPIRY_WAIT_MS, what: 'session expired after the upload' },
    );
  });
});
