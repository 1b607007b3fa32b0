import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import fc from 'fast-check';

import type { Style } from '@cls/testing';
import { ContentLibraryDriver, eventually, expectError, HttpClient, upload } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_download_session');
}, 60_000);

afterAll(() => deployment?.stop());

interface DownloadSessionInfo {
  id: string;
  library_item_id: string;
  library_item_content_version: string;
  client_progress: number;
  state: string;
  expiration_time: string;
  error_message?: { default_message: string };
}

describe.each<Style>(['rest', 'api'])('download sessions over /%s (contract §6.2)', (style) => {
  let alice: ContentLibraryDriver;
  let bob: ContentLibraryDriver;

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
    bob = new ContentLibraryDriver(style, deployment.bob);
  });

  const newItem = async () => (await alice.newLibraryItem()).itemId;

  const info = async (id: string) =>
    alice.value<DownloadSessionInfo>(await alice.getDownloadSession(id));

  it('create, get, list, keep_alive with progress, cancel, delete', async () => {
    const item = await newItem();
    const created = await alice.createDownloadSession({ library_item_id: item });
    expect(created.status).toBe(alice.ok('create'));
    const id = alice.value<string>(created);
    expect(await info(id)).toMatchObject({
      id,
      library_item_id: item,
      library_item_content_version: '1',
      client_progress: 0,
      state: 'ACTIVE',
    });
    expect(alice.value<string[]>(await alice.listDownloadSessions())).toContain(id);
    expect(alice.value<string[]>(await alice.listDownloadSessions(item))).toEqual([id]);

    const before = (await info(id)).expiration_time;
    expect((await alice.downloadAction(id, 'keep-alive', { progress: 40 })).status).toBe(
      alice.ok('void'),
    );
    const kept = await info(id);
    expect(kept.client_progress).toBe(40);
    expect(kept.expiration_time >= before).toBe(true);
    // Progress only grows; a lower value is ignored, not an error (§10.6).
    expect((await alice.downloadAction(id, 'keep-alive', { progress: 10 })).status).toBe(
      alice.ok('void'),
    );
    expect((await info(id)).client_progress).toBe(40);

    expect((await alice.downloadAction(id, 'cancel')).status).toBe(alice.ok('void'));
    expect((await info(id)).state).toBe('CANCELED');
    expectError(
      style,
      await alice.downloadAction(id, 'keep-alive', {}),
      'NOT_ALLOWED_IN_CURRENT_STATE',
    );
    expect((await alice.deleteDownloadSession(id)).status).toBe(alice.ok('void'));
    expectError(style, await alice.getDownloadSession(id), 'NOT_FOUND');
  });

  it('fail records the client message; delete works in every state, ACTIVE included', async () => {
    const item = await newItem();
    const failed = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: item }),
    );
    expect(
      (await alice.downloadAction(failed, 'fail', { client_error_message: 'disk full' })).status,
    ).toBe(alice.ok('void'));
    const info1 = await info(failed);
    expect(info1.state).toBe('ERROR');
    expect(info1.error_message?.default_message).toContain('disk full');

    const active = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: item }),
    );
    expect((await alice.deleteDownloadSession(active)).status).toBe(alice.ok('void'));
    expectError(style, await alice.getDownloadSession(active), 'NOT_FOUND');
  });

  it('several sessions per item, beside an ACTIVE update session; a client token is idempotent', async () => {
    const item = await newItem();
    expect((await alice.createSession({ library_item_id: item })).status).toBe(alice.ok('create'));
    const token = randomUUID();
    const first = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: item }, token),
    );
    const again = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: item }, token),
    );
    const other = alice.value<string>(await alice.createDownloadSession({ library_item_id: item }));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(alice.value<string[]>(await alice.listDownloadSessions(item)).sort()).toEqual(
      [first, other].sort(),
    );
  });

  it('errors: unknown item, no privilege, other users, bad bodies', async () => {
    expectError(
      style,
      await alice.createDownloadSession({ library_item_id: randomUUID() }),
      'NOT_FOUND',
    );
    expectError(style, await alice.createDownloadSession({}), 'INVALID_ARGUMENT');
    const item = await newItem();
    expectError(style, await bob.createDownloadSession({ library_item_id: item }), 'UNAUTHORIZED');
    const id = alice.value<string>(await alice.createDownloadSession({ library_item_id: item }));
    expectError(style, await bob.getDownloadSession(id), 'NOT_FOUND');
    expectError(style, await bob.downloadAction(id, 'cancel'), 'NOT_FOUND');
    expectError(style, await alice.downloadAction(id, 'complete'), 'OPERATION_NOT_FOUND');
    expectError(
      style,
      await alice.downloadAction(id, 'keep-alive', { client_progress: 5 }),
      'INVALID_REQUEST',
    );
    expectError(style, await alice.downloadAction(id, 'fail', {}), 'INVALID_ARGUMENT');
  });

  describe('files (§6.3)', () => {
    interface DownloadFileInfo {
      name: string;
      size: number;
      status: string;
      bytes_transferred: number;
      download_endpoint?: { uri: string };
      checksum_info?: { algorithm: string; checksum: string };
    }

    /** An item whose content is one pushed file, committed by an update session. */
    async function itemWith(bytes: Buffer): Promise<string> {
      const item = await newItem();
      await commitFile(item, bytes);
      return item;
    }

    async function commitFile(item: string, bytes: Buffer): Promise<void> {
      const session = alice.value<string>(await alice.createSession({ library_item_id: item }));
      const added = alice.value<{ upload_endpoint: { uri: string } }>(
        await alice.addFile(session, { name: 'disk.iso', source_type: 'PUSH', size: bytes.length }),
      );
      expect((await upload(added.upload_endpoint.uri, bytes)).status).toBe(200);
      expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));
    }

    it('lists the committed files UNPREPARED; prepare makes one PREPARED with an endpoint, idempotently', async () => {
      const bytes = randomBytes(5000);
      const item = await itemWith(bytes);
      const id = alice.value<string>(await alice.createDownloadSession({ library_item_id: item }));
      expect(alice.value<DownloadFileInfo[]>(await alice.listDownloadFiles(id))).toEqual([
        { name: 'disk.iso', size: bytes.length, status: 'UNPREPARED', bytes_transferred: 0 },
      ]);
      const prepared = alice.value<DownloadFileInfo>(
        await alice.prepareDownloadFile(id, 'disk.iso'),
      );
      expect(prepared).toMatchObject({ status: 'PREPARED', size: bytes.length });
      expect(prepared.download_endpoint?.uri).toMatch(/\/cls\/data\/[0-9a-f]{64}\/disk\.iso$/);
      expect(prepared.checksum_info).toEqual({
        algorithm: 'SHA1',
        checksum: createHash('sha1').update(bytes).digest('hex'),
      });
      const again = alice.value<DownloadFileInfo>(await alice.prepareDownloadFile(id, 'disk.iso'));
      expect(again).toEqual(prepared);
      expect(alice.value<DownloadFileInfo>(await alice.getDownloadFile(id, 'disk.iso'))).toEqual(
        prepared,
      );
      expectError(style, await alice.getDownloadFile(id, 'nope.iso'), 'INVALID_ARGUMENT');
      expectError(style, await alice.prepareDownloadFile(id, 'nope.iso'), 'INVALID_ARGUMENT');
    });

    it('DIRECT gives the storage URI of the pinned version, even after newer content commits', async () => {
      const first = randomBytes(3000);
      const item = await itemWith(first);
      const id = alice.value<string>(await alice.createDownloadSession({ library_item_id: item }));
      await commitFile(item, randomBytes(4000));
      const direct = alice.value<DownloadFileInfo>(
        await alice.prepareDownloadFile(id, 'disk.iso', 'DIRECT'),
      );
      expect(direct.size).toBe(first.length);
      expect(readFileSync(fileURLToPath(direct.download_endpoint!.uri)).equals(first)).toBe(true);
      expect(
        alice.value<{ library_item_content_version: string }>(await alice.getDownloadSession(id))
          .library_item_content_version,
      ).toBe('2');
    });

    describe('the download endpoint (§7.3)', () => {
      const bytes = randomBytes(200_000);
      let uri: string;
      let session: string;

      beforeAll(async () => {
        const item = await itemWith(bytes);
        session = alice.value<string>(await alice.createDownloadSession({ library_item_id: item }));
        uri = alice.value<DownloadFileInfo>(await alice.prepareDownloadFile(session, 'disk.iso'))
          .download_endpoint!.uri;
      });

      it('GET returns every byte with validators; HEAD the same headers and no body', async () => {
        const full = await fetch(uri);
        expect(full.status).toBe(200);
        // Buffer#equals: Jest's deep equality walks 200,000 elements one by one.
        expect(Buffer.from(await full.arrayBuffer()).equals(bytes)).toBe(true);
        expect(full.headers.get('content-length')).toBe(String(bytes.length));
        expect(full.headers.get('accept-ranges')).toBe('bytes');
        const etag = full.headers.get('etag')!;
        expect(full.headers.get('repr-digest')).toBe(
          `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`,
        );
        expect(etag).toBe(`"${createHash('sha1').update(bytes).digest('hex')}"`);
        const head = await fetch(uri, { method: 'HEAD' });
        expect(head.status).toBe(200);
        expect(head.headers.get('content-length')).toBe(String(bytes.length));
        expect((await head.arrayBuffer()).byteLength).toBe(0);
        expect((await fetch(uri, { headers: { 'if-none-match': etag } })).status).toBe(304);
        // Last-Modified: the stored file's time, an HTTP date, the same for GET and HEAD.
        const lastModified = full.headers.get('last-modified')!;
        expect(new Date(lastModified).toUTCString()).toBe(lastModified);
        expect(new Date(lastModified).getTime()).toBeLessThanOrEqual(Date.now());
        expect(head.headers.get('last-modified')).toBe(lastModified);
        // If-Range with the current ETag: the client's partial copy is good, only the range comes.
        const resumed = await fetch(uri, { headers: { range: 'bytes=10-19', 'if-range': etag } });
        expect(resumed.status).toBe(206);
        expect(Buffer.from(await resumed.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
      });

      it('serving bytes is activity: bytes_transferred grows and the deadline moves', async () => {
        const before = alice.value<{ expiration_time: string }>(
          await alice.getDownloadSession(session),
        ).expiration_time;
        const response = await fetch(uri);
        await response.arrayBuffer();
        const file = await eventually(
          async () =>
            alice.value<DownloadFileInfo>(await alice.getDownloadFile(session, 'disk.iso')),
          (info) => info.bytes_transferred === bytes.length,
          { what: 'bytes_transferred recorded' },
        );
        expect(file.bytes_transferred).toBe(bytes.length);
        const after = alice.value<{ expiration_time: string }>(
          await alice.getDownloadSession(session),
        ).expiration_time;
        expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
      });

      it('every single range returns exactly that slice (property)', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.nat({ max: bytes.length - 1 }),
            fc.nat({ max: bytes.length - 1 }),
            async (a, b) => {
              const [start, end] = a <= b ? [a, b] : [b, a];
              const response = await fetch(uri, { headers: { range: `bytes=${start}-${end}` } });
              expect(response.status).toBe(206);
              expect(response.headers.get('content-range')).toBe(
                `bytes ${start}-${end}/${bytes.length}`,
              );
              expect(
                Buffer.from(await response.arrayBuffer()).equals(bytes.subarray(start, end + 1)),
              ).toBe(true);
            },
          ),
          { numRuns: 40 },
        );
      });

      it('suffix ranges, unsatisfiable ranges (416), unsupported multi-ranges served whole, stale If-Range', async () => {
        const tail = await fetch(uri, { headers: { range: 'bytes=-100' } });
        expect(tail.status).toBe(206);
        expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(-100))).toBe(true);
        const past = await fetch(uri, { headers: { range: `bytes=${bytes.length}-` } });
        expect(past.status).toBe(416);
        expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
        for (const range of ['bytes=0-1,5-9', 'lines=1-2', 'bytes=oops']) {
          const whole = await fetch(uri, { headers: { range } });
          expect(whole.status).toBe(200);
          expect((await whole.arrayBuffer()).byteLength).toBe(bytes.length);
        }
        const stale = await fetch(uri, { headers: { range: 'bytes=0-9', 'if-range': '"other"' } });
        expect(stale.status).toBe(200);
        await stale.arrayBuffer();
      });

      it('a forged token, another name, or a canceled session: 404', async () => {
        const url = new URL(uri);
        const [, , , token, name] = url.pathname.split('/');
        const forged = `${token!.slice(0, 40)}${token!.slice(40).replace(/[0-9a-f]/, (c) => (c === '0' ? '1' : '0'))}`;
        expect((await fetch(`${url.origin}/cls/data/${forged}/${name}`)).status).toBe(404);
        expect((await fetch(`${url.origin}/cls/data/${token}/other.iso`)).status).toBe(404);
        expect((await alice.downloadAction(session, 'cancel')).status).toBe(alice.ok('void'));
        expect((await fetch(uri)).status).toBe(404);
      });
    });

    it('DIRECT needs ContentLibrary.ReadStorage (403); HTTPS does not', async () => {
      const item = await itemWith(randomBytes(100));
      const name = `dave-${style}`;
      expect(
        (
          await deployment.admin.request('POST', '/api/cls/users', {
            body: {
              name,
              password: 'dave-password',
              grants: ['System.Read', 'ContentLibrary.DownloadSession'].map((privilege) => ({
                privilege,
              })),
            },
          })
        ).status,
      ).toBe(201);
      const dave = new ContentLibraryDriver(
        style,
        await new HttpClient(deployment.api.baseUrl).login(name, 'dave-password'),
      );
      const id = dave.value<string>(await dave.createDownloadSession({ library_item_id: item }));
      expectError(style, await dave.prepareDownloadFile(id, 'disk.iso', 'DIRECT'), 'UNAUTHORIZED');
      expect(
        dave.value<{ status: string }>(await dave.prepareDownloadFile(id, 'disk.iso', 'HTTPS'))
          .status,
      ).toBe('PREPARED');
    });

    describe('pinning and garbage collection (ADR 0004)', () => {
      /** Where the item's current `disk.iso` lives on disk (item.Storage, §3.6). */
      async function storedPath(item: string): Promise<string> {
        const [storage] = alice.value<{ storage_uris: string[] }[]>(
          await alice.itemStorage(item, 'disk.iso'),
        );
        return fileURLToPath(storage!.storage_uris[0]!);
      }

      const collected = (path: string, what: string) =>
        eventually(
          () => existsSync(path),
          (present) => !present,
          { what },
        );

      it('a session keeps serving its version across newer commits; the bytes go once it ends', async () => {
        const pinned = randomBytes(30_000);
        const item = await itemWith(pinned);
        const pinnedPath = await storedPath(item);
        const id = alice.value<string>(
          await alice.createDownloadSession({ library_item_id: item }),
        );
        const uri = alice.value<DownloadFileInfo>(await alice.prepareDownloadFile(id, 'disk.iso'))
          .download_endpoint!.uri;

        // Two newer versions: the collector runs after each commit and removes the one between,
        // which nothing pins, so by then it has judged the pinned one too.
        await commitFile(item, randomBytes(20_000));
        const unpinnedPath = await storedPath(item);
        const latest = randomBytes(10_000);
        await commitFile(item, latest);
        await collected(unpinnedPath, 'the unpinned middle version collected');
        expect(existsSync(pinnedPath)).toBe(true);
        const served = await fetch(uri);
        expect(served.status).toBe(200);
        expect(Buffer.from(await served.arrayBuffer()).equals(pinned)).toBe(true);

        expect((await alice.deleteDownloadSession(id)).status).toBe(alice.ok('void'));
        await collected(pinnedPath, 'the pinned version collected after the session ended');
        expect((await fetch(uri)).status).toBe(404);
        expect(readFileSync(await storedPath(item)).equals(latest)).toBe(true);
      });

      it('a canceled or failed session releases its pin too', async () => {
        for (const end of ['cancel', 'fail'] as const) {
          const item = await itemWith(randomBytes(1_000));
          const pinnedPath = await storedPath(item);
          const id = alice.value<string>(
            await alice.createDownloadSession({ library_item_id: item }),
          );
          await commitFile(item, randomBytes(2_000));
          expect(existsSync(pinnedPath)).toBe(true);
          const ended = await alice.downloadAction(
            id,
            end,
            end === 'fail' ? { client_error_message: 'gave up' } : undefined,
          );
          expect(ended.status).toBe(alice.ok('void'));
          await collected(pinnedPath, `the pinned version collected after ${end}`);
        }
      });

      it('a deleted item keeps serving its open downloads, then leaves nothing on disk', async () => {
        const bytes = randomBytes(5_000);
        const item = await itemWith(bytes);
        const path = await storedPath(item);
        const id = alice.value<string>(
          await alice.createDownloadSession({ library_item_id: item }),
        );
        const uri = alice.value<DownloadFileInfo>(await alice.prepareDownloadFile(id, 'disk.iso'))
          .download_endpoint!.uri;
        const other = await itemWith(randomBytes(1_000));
        const otherPath = await storedPath(other);
        expect((await alice.deleteItem(other)).status).toBe(alice.ok('void'));
        expect((await alice.deleteItem(item)).status).toBe(alice.ok('void'));
        await collected(dirname(otherPath), 'the unpinned deleted item collected');
        const served = await fetch(uri);
        expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
        expect((await alice.deleteDownloadSession(id)).status).toBe(alice.ok('void'));
        await collected(dirname(path), "the deleted item's folder removed");
      });
    });

    it('prepare needs an ACTIVE session', async () => {
      const item = await itemWith(randomBytes(100));
      const id = alice.value<string>(await alice.createDownloadSession({ library_item_id: item }));
      await alice.downloadAction(id, 'cancel');
      expectError(
        style,
        await alice.prepareDownloadFile(id, 'disk.iso'),
        'NOT_ALLOWED_IN_CURRENT_STATE',
      );
    });
  });
});
