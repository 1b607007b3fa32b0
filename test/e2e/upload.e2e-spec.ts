import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Style } from '@cls/testing';
import {
  ContentLibraryDriver,
  dropMidUpload,
  eventually,
  expectError,
  hasStagedBytes,
  slowUpload,
  upload,
} from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_upload');
}, 60_000);

afterAll(() => deployment?.stop());

const digest = (algorithm: string, bytes: Buffer) =>
  createHash(algorithm).update(bytes).digest('hex');

interface FileInfo {
  name: string;
  status: string;
  bytes_transferred: number;
  size?: number;
  checksum_info?: { algorithm: string; checksum: string };
  upload_endpoint?: { uri: string };
  error_message?: { default_message: string };
  source_type: string;
}

describe.each<[Style, 'PUT' | 'POST']>([
  ['rest', 'PUT'],
  ['api', 'POST'],
])('uploads over /%s with %s', (style, method) => {
  let alice: ContentLibraryDriver;

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
  });

  const newItem = async () =>
    (await alice.newLibraryItem({ name: 'photon-5', type: 'iso' })).itemId;

  async function newSession(itemId: string): Promise<string> {
    return alice.value<string>(await alice.createSession({ library_item_id: itemId }));
  }

  async function add(sessionId: string, spec: Record<string, unknown>): Promise<FileInfo> {
    const result = await alice.addFile(sessionId, spec);
    expect(result.status).toBe(alice.ok('create') === 201 ? 201 : 200);
    return alice.value<FileInfo>(result);
  }

  async function file(sessionId: string, name: string): Promise<FileInfo> {
    return alice.value<FileInfo>(await alice.getFile(sessionId, name));
  }

  /** Adds a PUSH file with its size (and optionally a checksum) and uploads the bytes. */
  async function pushFile(
    sessionId: string,
    name: string,
    bytes: Buffer,
    algorithm?: string,
  ): Promise<FileInfo> {
    const info = await add(sessionId, {
      name,
      source_type: 'PUSH',
      size: bytes.length,
      ...(algorithm
        ? { checksum_info: { algorithm, checksum: digest(algorithm.toLowerCase(), bytes) } }
        : {}),
    });
    expect(await upload(info.upload_endpoint!.uri, bytes, { method })).toEqual({
      status: 200,
      body: '',
    });
    return file(sessionId, name);
  }

  async function complete(sessionId: string): Promise<void> {
    expect((await alice.action(sessionId, 'complete')).status).toBe(alice.ok('void'));
  }

  it('uploads one file: READY with its checksum; nothing visible until complete, then the new content', async () => {
    const itemId = await newItem();
    const sessionId = await newSession(itemId);
    const bytes = randomBytes(256 * 1024);
    const info = await add(sessionId, {
      name: 'photon-5.iso',
      source_type: 'PUSH',
      size: bytes.length,
      checksum_info: { algorithm: 'SHA256', checksum: digest('sha256', bytes).toUpperCase() },
    });
    expect(info).toMatchObject({
      status: 'WAITING_FOR_TRANSFER',
      bytes_transferred: 0,
      source_type: 'PUSH',
    });
    expect(info.upload_endpoint!.uri).toMatch(
      new RegExp(`^${deployment.api.baseUrl}/cls/data/[0-9a-f]{96}/photon-5\\.iso$`),
    );

    expect(await upload(info.upload_endpoint!.uri, bytes, { method })).toEqual({
      status: 200,
      body: '',
    });
    expect(await file(sessionId, 'photon-5.iso')).toMatchObject({
      status: 'READY',
      size: bytes.length,
      bytes_transferred: bytes.length,
      checksum_info: { algorithm: 'SHA256', checksum: digest('sha256', bytes) },
    });
    expect(alice.value(await alice.validate(sessionId))).toEqual({
      has_errors: false,
      missing_files: [],
      invalid_files: [],
    });

    // Still ACTIVE: the item shows its old (empty) content.
    expect(alice.value(await alice.itemFiles(itemId))).toEqual([]);
    expect(
      alice.value<{ content_version: string }>(await alice.getItem(itemId)).content_version,
    ).toBe('1');

    await complete(sessionId);
    expect(alice.value(await alice.getItem(itemId))).toMatchObject({
      content_version: '2',
      cached: true,
      size: bytes.length,
    });
    const stored = [
      {
        name: 'photon-5.iso',
        size: bytes.length,
        cached: true,
        version: '1',
        checksum_info: { algorithm: 'SHA1', checksum: digest('sha1', bytes) },
      },
    ];
    expect(alice.value(await alice.itemFiles(itemId))).toEqual(stored);
    expect(alice.value(await alice.itemFile(itemId, 'photon-5.iso'))).toEqual(stored[0]);
    const [storage] = alice.value<{ storage_uris: string[]; storage_backing: unknown }[]>(
      await alice.itemStorage(itemId, 'photon-5.iso'),
    );
    expect(storage!.storage_backing).toEqual({ type: 'DATASTORE', datastore_id: 'datastore-1' });
    expect(readFileSync(fileURLToPath(storage!.storage_uris[0]!)).equals(bytes)).toBe(true);
    // The staging area is gone once the bytes are committed.
    expect(hasStagedBytes(deployment.env.STORAGE_ROOT!, sessionId)).toBe(false);
  });

  it('a name of 255 UTF-8 bytes goes all the way to the item; one of 256 is refused at add', async () => {
    const itemId = await newItem();
    const sessionId = await newSession(itemId);
    // 'é' is two bytes: 125 of them, a dot and 'iso' make 254 + 1 = 255 bytes.
    const longest = `${'é'.repeat(125)}x.iso`;
    expect(Buffer.byteLength(longest)).toBe(255);
    const bytes = randomBytes(1000);
    expect((await pushFile(sessionId, longest, bytes)).status).toBe('READY');
    await complete(sessionId);
    expect(alice.value<{ name: string; size: number }[]>(await alice.itemFiles(itemId))).toEqual([
      expect.objectContaining({ name: longest, size: bytes.length }),
    ]);

    const tooLong = `${'é'.repeat(126)}.iso`;
    expect(Buffer.byteLength(tooLong)).toBe(256);
    const refused = await alice.addFile(await newSession(itemId), {
      name: tooLong,
      source_type: 'PUSH',
      size: 1,
    });
    expectError(style, refused, 'INVALID_ARGUMENT');
  });

  it('uploads three files concurrently into one session', async () => {
    const itemId = await newItem();
    const sessionId = await newSession(itemId);
    const files = ['disk-1.vmdk', 'disk-2.vmdk', 'disk-3.vmdk'].map((name) => ({
      name,
      bytes: randomBytes(512 * 1024 + Math.floor(Math.random() * 1000)),
    }));
    const infos = await Promise.all(
      files.map(({ name, bytes }) =>
        add(sessionId, { name, source_type: 'PUSH', size: bytes.length }),
      ),
    );
    const results = await Promise.all(
      files.map(({ bytes }, index) =>
        upload(infos[index]!.upload_endpoint!.uri, bytes, { method }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    await complete(sessionId);
    const stored = alice.value<{ name: string; checksum_info: { checksum: string } }[]>(
      await alice.itemFiles(itemId),
    );
    expect(stored.map((entry) => [entry.name, entry.checksum_info.checksum])).toEqual(
      files.map(({ name, bytes }) => [name, digest('sha1', bytes)]),
    );
  });

  it('replaces one file and removes another; the old content stays visible until complete', async () => {
    const itemId = await newItem();
    const first = await newSession(itemId);
    const [a1, b1, a2] = [randomBytes(1000), randomBytes(2000), randomBytes(3000)];
    await pushFile(first, 'a.bin', a1);
    await pushFile(first, 'b.bin', b1);
    await complete(first);

    const second = await newSession(itemId);
    const snapshot = alice.value<FileInfo[]>(await alice.listFiles(second));
    expect(
      snapshot.map(({ name, source_type, status, size }) => ({ name, source_type, status, size })),
    ).toEqual([
      { name: 'a.bin', source_type: 'NONE', status: 'READY', size: 1000 },
      { name: 'b.bin', source_type: 'NONE', status: 'READY', size: 2000 },
    ]);
    await pushFile(second, 'a.bin', a2);
    expect((await alice.removeFile(second, 'b.bin')).status).toBe(alice.ok('void'));
    expect(
      alice.value<FileInfo[]>(await alice.listFiles(second)).map((entry) => entry.name),
    ).toEqual(['a.bin']);
    const before = alice.value<{ name: string; version: string }[]>(await alice.itemFiles(itemId));
    expect(before.map(({ name, version }) => [name, version])).toEqual([
      ['a.bin', '1'],
      ['b.bin', '1'],
    ]);

    await complete(second);
    expect(
      alice.value<{ content_version: string }>(await alice.getItem(itemId)).content_version,
    ).toBe('3');
    expect(alice.value(await alice.itemFiles(itemId))).toEqual([
      {
        name: 'a.bin',
        size: 3000,
        cached: true,
        version: '2',
        checksum_info: { algorithm: 'SHA1', checksum: digest('sha1', a2) },
      },
    ]);
  });

  it.each(['SHA1', 'MD5', 'SHA256', 'SHA512'])(
    'a %s mismatch puts the file and the session in ERROR',
    async (algorithm) => {
      const sessionId = await newSession(await newItem());
      const bytes = randomBytes(4096);
      const wrong = digest(algorithm.toLowerCase(), randomBytes(10));
      const info = await add(sessionId, {
        name: 'image.iso',
        source_type: 'PUSH',
        checksum_info: { algorithm, checksum: wrong },
      });
      const result = await upload(info.upload_endpoint!.uri, bytes, { method });
      expect(result.status).toBe(400);
      expect(result.body).toContain('checksum mismatch');
      const failed = await file(sessionId, 'image.iso');
      expect(failed.status).toBe('ERROR');
      expect(failed.error_message!.default_message).toContain(wrong);
      const session = alice.value<{ state: string; error_message: { default_message: string } }>(
        await alice.getSession(sessionId),
      );
      expect(session.state).toBe('ERROR');
      expect(session.error_message.default_message).toContain('image.iso');
      const error = expectError(
        style,
        await alice.action(sessionId, 'complete'),
        'NOT_ALLOWED_IN_CURRENT_STATE',
      );
      expect(error.messages[0]?.args[2]).toContain(`${algorithm} checksum mismatch`);
    },
  );

  it('a short body is an error naming expected and received sizes', async () => {
    const sessionId = await newSession(await newItem());
    const info = await add(sessionId, { name: 'short.bin', source_type: 'PUSH', size: 1000 });
    expect((await upload(info.upload_endpoint!.uri, randomBytes(500), { method })).status).toBe(
      400,
    );
    expect((await file(sessionId, 'short.bin')).error_message!.default_message).toContain(
      'expected 1000 bytes, received 500',
    );
    expect(alice.value<{ state: string }>(await alice.getSession(sessionId)).state).toBe('ERROR');
  });

  it('a body longer than declared is refused and the session fails', async () => {
    const sessionId = await newSession(await newItem());
    const info = await add(sessionId, { name: 'long.bin', source_type: 'PUSH', size: 100 });
    const result = await upload(info.upload_endpoint!.uri, randomBytes(200), { method });
    expect(result.status).toBe(400);
    expect(result.body).toContain('more than the declared 100 bytes');
    expect((await file(sessionId, 'long.bin')).status).toBe('ERROR');
    expect(alice.value<{ state: string }>(await alice.getSession(sessionId)).state).toBe('ERROR');
  });

  it('resumes after a dropped connection with Content-Range from bytes_transferred', async () => {
    const sessionId = await newSession(await newItem());
    const bytes = randomBytes(2 * 1024 * 1024);
    const info = await add(sessionId, {
      name: 'big.iso',
      source_type: 'PUSH',
      size: bytes.length,
      checksum_info: { algorithm: 'SHA512', checksum: digest('sha512', bytes) },
    });
    const uri = info.upload_endpoint!.uri;
    await dropMidUpload(uri, bytes.subarray(0, 700_000), bytes.length);
    // The server may still be writing what arrived before the drop: resume once it settles.
    let previous = -1;
    const dropped = await eventually(
      () => file(sessionId, 'big.iso'),
      (current) => {
        const settled = current.bytes_transferred > 0 && current.bytes_transferred === previous;
        previous = current.bytes_transferred;
        return settled;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: 'the staged bytes settled' },
    );
    expect(dropped.status).toBe('TRANSFERRING');
    const offset = dropped.bytes_transferred;
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(700_000);
    const rest = bytes.subarray(offset);
    const resumed = await upload(uri, rest, {
      method,
      headers: { 'content-range': `bytes ${offset}-${bytes.length - 1}/${bytes.length}` },
    });
    expect(resumed.status).toBe(200);
    expect(await file(sessionId, 'big.iso')).toMatchObject({
      status: 'READY',
      size: bytes.length,
      checksum_info: { algorithm: 'SHA512', checksum: digest('sha512', bytes) },
    });
  });

  it('refuses a chunked body that goes past its Content-Range end, writing nothing past it', async () => {
    const sessionId = await newSession(await newItem());
    const bytes = randomBytes(1000);
    const info = await add(sessionId, { name: 'chunked.bin', source_type: 'PUSH', size: 1000 });
    const uri = new URL(info.upload_endpoint!.uri);
    // No Content-Length: the body is chunked, and 300 bytes follow a range of 100.
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(
        {
          method,
          hostname: uri.hostname,
          port: uri.port,
          path: uri.pathname,
          headers: { 'content-range': 'bytes 0-99/1000', 'transfer-encoding': 'chunked' },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(bytes.subarray(0, 300));
    });
    expect(status).toBe(400);
    const staged = await file(sessionId, 'chunked.bin');
    expect(staged.bytes_transferred).toBeLessThanOrEqual(100);

    const offset = staged.bytes_transferred;
    const resumed = await upload(info.upload_endpoint!.uri, bytes.subarray(offset), {
      method,
      headers: { 'content-range': `bytes ${offset}-999/1000` },
    });
    expect(resumed.status).toBe(200);
    expect(await file(sessionId, 'chunked.bin')).toMatchObject({ status: 'READY', size: 1000 });
  });

  it('refuses a Content-Range that skips or overlaps bytes and keeps what arrived', async () => {
    const sessionId = await newSession(await newItem());
    const bytes = randomBytes(1000);
    const info = await add(sessionId, { name: 'ranged.bin', source_type: 'PUSH', size: 1000 });
    const uri = info.upload_endpoint!.uri;
    expect(
      (
        await upload(uri, bytes.subarray(0, 400), {
          method,
          headers: { 'content-range': 'bytes 0-399/1000' },
        })
      ).status,
    ).toBe(200);
    expect(await file(sessionId, 'ranged.bin')).toMatchObject({
      status: 'TRANSFERRING',
      bytes_transferred: 400,
    });
    expect(
      (
        await upload(uri, bytes.subarray(500), {
          method,
          headers: { 'content-range': 'bytes 500-999/1000' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await upload(uri, bytes.subarray(300), {
          method,
          headers: { 'content-range': 'bytes 300-999/1000' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await upload(uri, bytes.subarray(400), {
          method,
          headers: { 'content-range': 'bytes 400-999/2000' },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await upload(uri, bytes.subarray(400), {
          method,
          headers: { 'content-range': 'bytes=400-999' },
        })
      ).status,
    ).toBe(400);
    expect(await file(sessionId, 'ranged.bin')).toMatchObject({
      status: 'TRANSFERRING',
      bytes_transferred: 400,
    });
    expect(
      (
        await upload(uri, bytes.subarray(400), {
          method,
          headers: { 'content-range': 'bytes 400-999/1000' },
        })
      ).status,
    ).toBe(200);
    expect((await file(sessionId, 'ranged.bin')).checksum_info).toEqual({
      algorithm: 'SHA1',
      checksum: digest('sha1', bytes),
    });
  });

  it('cancel discards the staged bytes and closes the upload URL', async () => {
    const itemId = await newItem();
    const sessionId = await newSession(itemId);
    const info = await add(sessionId, { name: 'partial.bin', source_type: 'PUSH', size: 1000 });
    await upload(info.upload_endpoint!.uri, randomBytes(400), {
      method,
      headers: { 'content-range': 'bytes 0-399/1000' },
    });
    const staged = () => hasStagedBytes(deployment.env.STORAGE_ROOT!, sessionId);
    expect(staged()).toBe(true);
    expect((await alice.action(sessionId, 'cancel')).status).toBe(alice.ok('void'));
    expect(staged()).toBe(false);
    expect(
      (
        await upload(info.upload_endpoint!.uri, randomBytes(600), {
          method,
          headers: { 'content-range': 'bytes 400-999/1000' },
        })
      ).status,
    ).toBe(404);
    expect(alice.value(await alice.itemFiles(itemId))).toEqual([]);
  });

  it('an upload still arriving when its session is canceled ends with a 400 (the session is no longer ACTIVE), never a 500, and leaves nothing staged', async () => {
    const itemId = await newItem();
    const sessionId = await newSession(itemId);
    const total = 400_000;
    const info = await add(sessionId, { name: 'late.bin', source_type: 'PUSH', size: total });
    const uploading = slowUpload(info.upload_endpoint!.uri, total, 2);
    const staged = () => hasStagedBytes(deployment.env.STORAGE_ROOT!, sessionId);
    await eventually(staged, (exists) => exists, {
      timeoutMs: 5_000,
      what: 'the upload staging',
    });
    expect((await alice.action(sessionId, 'cancel')).status).toBe(alice.ok('void'));

    expect(await uploading).toBe(400);
    expect(staged()).toBe(false);
    expect(alice.value<{ state: string }>(await alice.getSession(sessionId)).state).toBe(
      'CANCELED',
    );
    expect(alice.value(await alice.itemFiles(itemId))).toEqual([]);
  });

  it.each(['item', 'library'] as const)(
    'deleting the %s cancels the session and discards its staged bytes',
    async (deleted) => {
      const itemId = await newItem();
      const sessionId = await newSession(itemId);
      const info = await add(sessionId, { name: 'orphan.bin', source_type: 'PUSH', size: 1000 });
      await upload(info.upload_endpoint!.uri, randomBytes(400), {
        method,
        headers: { 'content-range': 'bytes 0-399/1000' },
      });
      const staged = () => hasStagedBytes(deployment.env.STORAGE_ROOT!, sessionId);
      expect(staged()).toBe(true);
      const libraryId = alice.value<{ library_id: string }>(await alice.getItem(itemId)).library_id;
      const removal =
        deleted === 'item' ? await alice.deleteItem(itemId) : await alice.deleteLibrary(libraryId);
      expect(removal.status).toBe(alice.ok('void'));
      expect(staged()).toBe(false);
      expect(alice.value<{ state: string }>(await alice.getSession(sessionId)).state).toBe(
        'CANCELED',
      );
    },
  );

  it('a second upload into a READY file is 400; unknown and forged tokens are 404', async () => {
    const sessionId = await newSession(await newItem());
    const bytes = randomBytes(100);
    const ready = await pushFile(sessionId, 'once.bin', bytes);
    expect((await upload(ready.upload_endpoint!.uri, bytes, { method })).status).toBe(400);
    const uri = new URL(ready.upload_endpoint!.uri);
    const token = uri.pathname.split('/')[3]!;
    const forged = `${token.slice(0, 40)}${token.slice(40).replace(/[0-9a-f]/, (c) => (c === '0' ? '1' : '0'))}`;
    expect(
      (await upload(`${uri.origin}/cls/data/${forged}/once.bin`, bytes, { method })).status,
    ).toBe(404);
    expect(
      (await upload(`${uri.origin}/cls/data/${randomUUID()}/once.bin`, bytes, { method })).status,
    ).toBe(404);
    expect(
      (await upload(`${uri.origin}/cls/data/${token}/other.bin`, bytes, { method })).status,
    ).toBe(404);
    await complete(sessionId);
    expect((await upload(ready.upload_endpoint!.uri, bytes, { method })).status).toBe(404);
  });

  it('an upload URL grants its session and transfer under one MAC; one issued before it named the session still works', async () => {
    const [sessionId, otherSession] = [
      await newSession(await newItem()),
      await newSession(await newItem()),
    ];
    const info = await add(sessionId, { name: 'granted.bin', source_type: 'PUSH', size: 10 });
    const uri = new URL(info.upload_endpoint!.uri);
    const token = uri.pathname.split('/')[3]!;
    const transferId = token.slice(32, 64);
    expect(token.slice(0, 32)).toBe(sessionId.replaceAll('-', ''));
    // Another session's id with this transfer and MAC: refused, the MAC covers both.
    const moved = `${otherSession.replaceAll('-', '')}${token.slice(32)}`;
    expect(
      (await upload(`${uri.origin}/cls/data/${moved}/granted.bin`, randomBytes(10), { method }))
        .status,
    ).toBe(404);
    // A URL minted as before tokens named the session (the transfer and a MAC over it alone)
    // finds its session by the transfer.
    const [{ secret }] = await (
      await deployment.database.open()
    ).query<[{ secret: Buffer }]>(
      `SELECT secret FROM service_secret WHERE name = 'data-plane-url'`,
    );
    const uuid = `${transferId.slice(0, 8)}-${transferId.slice(8, 12)}-${transferId.slice(12, 16)}-${transferId.slice(16, 20)}-${transferId.slice(20)}`;
    const legacy = `${transferId}${createHmac('sha256', secret).update(uuid).digest().subarray(0, 16).toString('hex')}`;
    const bytes = randomBytes(10);
    expect(
      (await upload(`${uri.origin}/cls/data/${legacy}/granted.bin`, bytes, { method })).status,
    ).toBe(200);
    expect(await file(sessionId, 'granted.bin')).toMatchObject({ status: 'READY', size: 10 });
  });

  it('complete before the bytes arrived names the file and WAITING; validate lists it as invalid', async () => {
    const sessionId = await newSession(await newItem());
    await add(sessionId, { name: 'late.iso', source_type: 'PUSH' });
    const validation = alice.value<{
      has_errors: boolean;
      invalid_files: { name: string; error_message: { id: string } }[];
    }>(await alice.validate(sessionId));
    expect(validation.has_errors).toBe(true);
    expect(validation.invalid_files.map((entry) => [entry.name, entry.error_message.id])).toEqual([
      ['late.iso', 'com.vmware.vdcs.cls-main.update_session_file_not_received'],
    ]);
    const error = expectError(
      style,
      await alice.action(sessionId, 'complete'),
      'NOT_ALLOWED_IN_CURRENT_STATE',
      'com.vmware.vdcs.cls-main.update_session_file_not_received',
    );
    expect(error.messages[0]?.args).toEqual(['late.iso', 'WAITING']);
    expect(alice.value<{ state: string }>(await alice.getSession(sessionId)).state).toBe('ACTIVE');
  });

  it('rejects bad file specs with invalid_argument and changes nothing', async () => {
    const sessionId = await newSession(await newItem());
    for (const name of [
      '',
      'a/b',
      'a\\b',
      '..',
      'x..y',
      'nul\u0000',
      'tab\tname',
      'x'.repeat(256),
    ]) {
      expectError(
        style,
        await alice.addFile(sessionId, { name, source_type: 'PUSH' }),
        'INVALID_ARGUMENT',
      );
    }
    for (const spec of [
      { name: 'f', source_type: 'NONE' },
      { name: 'f', source_type: 'PUSH', size: -1 },
      { name: 'f', source_type: 'PUSH', size: 2 ** 60 },
      { name: 'f', source_type: 'PUSH', checksum_info: { algorithm: 'CRC32', checksum: 'abcd' } },
      {
        name: 'f',
        source_type: 'PUSH',
        checksum_info: { algorithm: 'SHA256', checksum: 'not-hex' },
      },
      { name: 'f', source_type: 'PULL' },
      { name: 'f', source_type: 'PULL', source_endpoint: { uri: 'ftp://example.com/f' } },
    ]) {
      expectError(style, await alice.addFile(sessionId, spec), 'INVALID_ARGUMENT');
    }
    expectError(
      style,
      await alice.addFile(sessionId, { name: 'f', source_type: 'PUSH', colour: 'red' }),
      'INVALID_REQUEST',
    );
    expect(alice.value(await alice.listFiles(sessionId))).toEqual([]);
    expectError(style, await alice.getFile(sessionId, 'nope.iso'), 'INVALID_ARGUMENT');
    expectError(style, await alice.removeFile(sessionId, 'nope.iso'), 'INVALID_ARGUMENT');
    expectError(style, await alice.listFiles(randomUUID()), 'NOT_FOUND');
  });

  it('file add, remove and validate need an ACTIVE session; get and list work in every state', async () => {
    const sessionId = await newSession(await newItem());
    await pushFile(sessionId, 'kept.bin', randomBytes(10));
    await complete(sessionId);
    expectError(
      style,
      await alice.addFile(sessionId, { name: 'x', source_type: 'PUSH' }),
      'NOT_ALLOWED_IN_CURRENT_STATE',
    );
    expectError(
      style,
      await alice.removeFile(sessionId, 'kept.bin'),
      'NOT_ALLOWED_IN_CURRENT_STATE',
    );
    expectError(style, await alice.validate(sessionId), 'NOT_ALLOWED_IN_CURRENT_STATE');
    expect((await file(sessionId, 'kept.bin')).status).toBe('READY');
    expect(alice.value<FileInfo[]>(await alice.listFiles(sessionId))).toHaveLength(1);
  });

  it('the fleet sweep clears what an ended session left aside after a crash, never an ACTIVE one', async () => {
    const done = await newSession(await newItem());
    await pushFile(done, 'kept.bin', randomBytes(10));
    await complete(done);
    const active = await newSession(await newItem());
    await pushFile(active, 'waiting.bin', randomBytes(10));
    // What a process that died right after the commit would have left behind, and the same for
    // the ACTIVE session, which must stay.
    const root = deployment.env.STORAGE_ROOT!;
    for (const session of [done, active])
      writeFileSync(join(root, 'staging', `${session}.${randomUUID()}`), 'left');
    const db = await deployment.database.open();
    const secretsOf = async (session: string) =>
      (
        await db.query<{ count: number }[]>(
          'SELECT count(*)::int AS count FROM pull_source_secret WHERE session_id = $1',
          [session],
        )
      )[0]!.count;
    for (const session of [done, active]) {
      await db.query(
        'INSERT INTO pull_source_secret (transfer_id, session_id, uri) VALUES ($1, $2, $3)',
        [randomUUID(), session, 'https://user:secret@example.com/a.iso'],
      );
    }
    await eventually(
      async () => hasStagedBytes(root, done) || (await secretsOf(done)) > 0,
      (left) => !left,
      { what: "the ended session's staging and secrets cleared", timeoutMs: 20_000 },
    );
    expect(hasStagedBytes(root, active)).toBe(true);
    expect(await secretsOf(active)).toBe(1);
  });

  it('item.Storage needs ContentLibrary.ReadStorage; item.File of an unknown name is not_found', async () => {
    const itemId = await newItem();
    const bob = new ContentLibraryDriver(style, deployment.bob);
    const error = expectError(style, await bob.itemStorage(itemId), 'UNAUTHORIZED');
    expect(error.messages[0]?.default_message).toContain('ContentLibrary.ReadStorage');
    expectError(style, await alice.itemFile(itemId, 'missing.iso'), 'NOT_FOUND');
    expectError(style, await alice.itemFiles(randomUUID()), 'NOT_FOUND');
  });
});
