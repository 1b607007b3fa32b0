import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { SelfSignedCertificate, SourceServer, Style } from '@cls/testing';
import {
  ContentLibraryDriver,
  eventually,
  hasStagedBytes,
  HttpClient,
  selfSignedCertificate,
  startSourceServer,
} from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

interface FileInfo {
  name: string;
  status: string;
  bytes_transferred: number;
  size?: number;
  checksum_info?: { algorithm: string; checksum: string };
  error_message?: { id: string; default_message: string };
}

interface SessionInfo {
  state: string;
  error_message?: { id: string; default_message: string };
  preview_info?: { state: string; warnings?: { type: string; ignored: boolean }[] };
}

const importRoot = mkdtempSync(join(tmpdir(), 'cls-import-'));
const outsideRoot = mkdtempSync(join(tmpdir(), 'cls-outside-'));
let deployment: Deployment;
let http: SourceServer;
let https: SourceServer;
let certificate: SelfSignedCertificate;

beforeAll(async () => {
  certificate = selfSignedCertificate();
  [http, https] = await Promise.all([
    startSourceServer({ size: 3 * 1024 * 1024 }),
    startSourceServer({ tls: certificate }),
  ]);
  deployment = await startDeployment('e2e_pull', {
    PULL_ALLOWED_NETWORKS: '127.0.0.0/8',
    IMPORT_ROOTS: importRoot,
    PULL_STALL_SECONDS: '2',
    PULL_ATTEMPTS: '3',
  });
}, 60_000);

afterAll(async () => {
  await deployment?.stop();
  await Promise.all([http?.close(), https?.close()]);
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe.each<Style>(['rest', 'api'])('PULL transfers over /%s', (style) => {
  let alice: ContentLibraryDriver;

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
  });

  async function newSession(
    warningBehavior?: unknown[],
  ): Promise<{ item: string; session: string }> {
    const library = alice.value<string>(
      await alice.createLibrary({
        name: `lib-${randomUUID()}`,
        storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }],
      }),
    );
    const item = alice.value<string>(
      await alice.createItem({ library_id: library, name: 'pulled', type: 'iso' }),
    );
    const session = alice.value<string>(
      await alice.createSession({
        library_item_id: item,
        ...(warningBehavior ? { warning_behavior: warningBehavior } : {}),
      }),
    );
    return { item, session };
  }

  async function pull(
    session: string,
    uri: string,
    extra: Record<string, unknown> = {},
    name = 'pulled.iso',
  ): Promise<void> {
    const added = await alice.addFile(session, {
      name,
      source_type: 'PULL',
      source_endpoint: { uri },
      ...extra,
    });
    expect(added.status).toBe(alice.ok('create'));
  }

  const file = async (session: string, name = 'pulled.iso') =>
    alice.value<FileInfo>(await alice.getFile(session, name));
  const settled = (session: string, name = 'pulled.iso') =>
    eventually(
      () => file(session, name),
      (info) => info.status === 'READY' || info.status === 'ERROR',
      { what: `${name} settled` },
    );
  const sessionInfo = async (session: string) =>
    alice.value<SessionInfo>(await alice.getSession(session));

  it('pulls over http with a checksum, then complete commits the bytes', async () => {
    const { item, session } = await newSession();
    await pull(session, `${http.baseUrl}/file.bin`, {
      size: http.bytes.length,
      checksum_info: { algorithm: 'SHA256', checksum: http.sha256 },
    });
    const ready = await settled(session);
    expect(ready).toMatchObject({ status: 'READY', size: http.bytes.length });
    expect(ready.bytes_transferred).toBe(http.bytes.length);
    expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));
    expect((await sessionInfo(session)).state).toBe('DONE');
    const [storage] = alice.value<{ storage_uris: string[] }[]>(await alice.itemStorage(item));
    expect(sha256(readFileSync(fileURLToPath(storage!.storage_uris[0]!)))).toBe(http.sha256);
  });

  it('complete right after add returns at once and the session ends DONE (govmomi)', async () => {
    const { item, session } = await newSession();
    await pull(session, `${http.baseUrl}/file.bin`);
    expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));
    await eventually(
      () => sessionInfo(session),
      (info) => info.state === 'DONE',
      {
        what: 'session DONE',
      },
    );
    const files = alice.value<{ name: string; size: number }[]>(await alice.itemFiles(item));
    expect(files).toEqual([
      expect.objectContaining({ name: 'pulled.iso', size: http.bytes.length }),
    ]);
  });

  it('a checksum mismatch fails the file and the session with both digests', async () => {
    const { session } = await newSession();
    await pull(session, `${http.baseUrl}/file.bin`, {
      checksum_info: { algorithm: 'SHA256', checksum: '0'.repeat(64) },
    });
    const failed = await settled(session);
    expect(failed.status).toBe('ERROR');
    expect(failed.error_message?.default_message).toContain(http.sha256);
    expect((await sessionInfo(session)).state).toBe('ERROR');
  });

  it('a 404 source fails at once with the status, without retries', async () => {
    const { session } = await newSession();
    await pull(session, `${http.baseUrl}/missing`);
    const failed = await settled(session);
    expect(failed.status).toBe('ERROR');
    expect(failed.error_message?.default_message).toMatch(/404/);
    expect(http.requests.filter((request) => request.path === '/missing').length).toBeGreaterThan(
      0,
    );
  });

  it('a source that stops sending is retried, then the file fails naming the stall', async () => {
    const { session } = await newSession();
    const before = http.requests.filter((request) => request.path === '/stall.bin').length;
    await pull(session, `${http.baseUrl}/stall.bin`);
    // PULL_STALL_SECONDS=2 and PULL_ATTEMPTS=3 with backoff: about ten seconds.
    const failed = await eventually(
      () => file(session),
      (info) => info.status === 'ERROR',
      { timeoutMs: 30_000, intervalMs: 250, what: 'stalled pull failed' },
    );
    expect(failed.error_message?.default_message).toMatch(/No bytes/);
    const tries = http.requests.filter((request) => request.path === '/stall.bin').length - before;
    expect(tries).toBe(3);
    expect((await sessionInfo(session)).state).toBe('ERROR');
  }, 40_000);

  it('a redirect to a refused address fails without reaching it', async () => {
    const { session } = await newSession();
    const target = encodeURIComponent('http://169.254.169.254/latest/meta-data/');
    await pull(session, `${http.baseUrl}/redirect?to=${target}`);
    const failed = await settled(session);
    expect(failed.status).toBe('ERROR');
    expect(failed.error_message?.default_message).toMatch(/169\.254\.169\.254/);
  });

  it('resumes with a Range after the source dropped the connection', async () => {
    const { session } = await newSession();
    const before = http.requests.length;
    await pull(session, `${http.baseUrl}/truncated.bin?${session}`, {
      checksum_info: { algorithm: 'SHA256', checksum: http.sha256 },
    });
    expect((await settled(session)).status).toBe('READY');
    const tries = http.requests
      .slice(before)
      .filter((request) => request.path === '/truncated.bin');
    expect(tries.at(-1)?.range).toMatch(/^bytes=\d+-$/);
  });

  it('cancel stops a running pull within a second and discards its bytes', async () => {
    const { session } = await newSession();
    await pull(session, `${http.baseUrl}/slow.bin`);
    await eventually(
      () => file(session),
      (info) => info.bytes_transferred > 0,
      {
        what: 'pull started',
      },
    );
    const abandonedBefore = http.abandoned.length;
    expect((await alice.action(session, 'cancel')).status).toBe(alice.ok('void'));
    const canceledAt = Date.now();
    await eventually(
      () => http.abandoned.length,
      (count) => count > abandonedBefore,
      {
        timeoutMs: 3_000,
        intervalMs: 20,
        what: 'source connection closed',
      },
    );
    expect(Date.now() - canceledAt).toBeLessThan(1_500);
    await eventually(
      () => hasStagedBytes(deployment.env.STORAGE_ROOT!, session),
      (exists) => !exists,
      { what: 'staging discarded' },
    );
  });

  describe('https', () => {
    it('a self-signed source without a thumbprint is a warning; complete then fails the session', async () => {
      const { session } = await newSession();
      await pull(session, `${https.baseUrl}/file.bin`);
      expect((await settled(session)).status).toBe('READY');
      const preview = (await sessionInfo(session)).preview_info;
      expect(preview?.warnings).toEqual([
        expect.objectContaining({ type: 'SELF_SIGNED_CERTIFICATE', ignored: false }),
      ]);
      const refused = await alice.action(session, 'complete');
      expect(refused.status).toBe(400);
      const info = await sessionInfo(session);
      expect(info.state).toBe('ERROR');
      expect(info.error_message?.default_message).toContain(certificate.sha1);
    });

    it('completes when warning_behavior ignores self-signed certificates', async () => {
      const { session } = await newSession([{ type: 'SELF_SIGNED_CERTIFICATE', ignored: true }]);
      await pull(session, `${https.baseUrl}/file.bin`);
      expect((await settled(session)).status).toBe('READY');
      expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));
      expect((await sessionInfo(session)).state).toBe('DONE');
    });

    it.each([
      ['SHA-1, colon-separated', () => certificate.sha1],
      ['SHA-256, plain lower-case', () => certificate.sha256.replaceAll(':', '').toLowerCase()],
    ])('a pinned %s thumbprint is trusted without warnings', async (_label, thumbprint) => {
      const { session } = await newSession();
      const added = await alice.addFile(session, {
        name: 'pinned.iso',
        source_type: 'PULL',
        source_endpoint: {
          uri: `${https.baseUrl}/file.bin`,
          ssl_certificate_thumbprint: thumbprint(),
        },
      });
      expect(added.status).toBe(alice.ok('create'));
      expect((await settled(session, 'pinned.iso')).status).toBe('READY');
      expect((await sessionInfo(session)).preview_info?.warnings ?? []).toEqual([]);
      expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));
    });

    it('a wrong thumbprint fails naming the observed ones', async () => {
      const { session } = await newSession();
      await pull(session, `${https.baseUrl}/file.bin`, {
        source_endpoint: {
          uri: `${https.baseUrl}/file.bin`,
          ssl_certificate_thumbprint: 'AB:'.repeat(19) + 'AB',
        },
      });
      const failed = await settled(session);
      expect(failed.status).toBe('ERROR');
      expect(failed.error_message?.default_message).toContain(certificate.sha1);
      expect(failed.error_message?.default_message).toContain(certificate.sha256);
    });
  });

  describe('file:// sources', () => {
    it('reads a file inside the import roots', async () => {
      const bytes = Buffer.from(`inside ${randomUUID()}`);
      const path = join(importRoot, `${randomUUID()}.bin`);
      writeFileSync(path, bytes);
      const { session } = await newSession();
      await pull(session, `file://${path}`);
      expect(await settled(session)).toMatchObject({ status: 'READY', size: bytes.length });
    });

    it('refuses a file outside the import roots', async () => {
      const path = join(outsideRoot, 'secret.bin');
      writeFileSync(path, 'secret');
      const { session } = await newSession();
      await pull(session, `file://${path}`);
      const failed = await settled(session);
      expect(failed.status).toBe('ERROR');
      expect(failed.error_message?.default_message).toMatch(/outside the import roots/);
    });
  });
});

describe("who may pull from the server's storage", () => {
  it('needs ContentLibrary.ReadStorage for file:// sources (403), not for http', async () => {
    const created = await deployment.admin.request('POST', '/api/cls/users', {
      body: {
        name: 'carol',
        password: 'carol-password',
        grants: [
          'System.Read',
          'ContentLibrary.CreateLocalLibrary',
          'ContentLibrary.AddLibraryItem',
          'ContentLibrary.UpdateSession',
        ].map((privilege) => ({ privilege })),
      },
    });
    expect(created.status).toBe(201);
    const carol = new ContentLibraryDriver(
      'api',
      await new HttpClient(deployment.api.baseUrl).login('carol', 'carol-password'),
    );
    const { itemId: item } = await carol.newLibraryItem({ name: 'x' });
    const session = carol.value<string>(await carol.createSession({ library_item_id: item }));
    const local = await carol.addFile(session, {
      name: 'local.bin',
      source_type: 'PULL',
      source_endpoint: { uri: `file://${join(importRoot, 'anything.bin')}` },
    });
    expect(local.status).toBe(403);
    const remote = await carol.addFile(session, {
      name: 'remote.bin',
      source_type: 'PULL',
      source_endpoint: { uri: `${http.baseUrl}/file.bin` },
    });
    expect(remote.status).toBe(201);
  });

  it('refuses a malformed thumbprint at add time', async () => {
    const alice = new ContentLibraryDriver('api', deployment.alice);
    const library = alice.value<string>(
      await alice.createLibrary({
        name: `lib-${randomUUID()}`,
        storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }],
      }),
    );
    const item = alice.value<string>(await alice.createItem({ library_id: library, name: 'x' }));
    const session = alice.value<string>(await alice.createSession({ library_item_id: item }));
    const added = await alice.addFile(session, {
      name: 'a.iso',
      source_type: 'PULL',
      source_endpoint: { uri: `${https.baseUrl}/file.bin`, ssl_certificate_thumbprint: 'not-hex' },
    });
    expect(added.status).toBe(400);
  });
});

describe('trace context (W3C traceparent)', () => {
  interface Entry {
    type: string;
    actor: string;
    traceparent?: string;
  }

  it("a request's traceparent is on its events and on the events of the pull it caused; an invalid one is dropped", async () => {
    const alice = new ContentLibraryDriver('api', deployment.alice);
    const { itemId } = await alice.newLibraryItem({ name: 'traced.iso' });
    const sessions = '/api/content/library/item/update-session';
    const created = await deployment.alice.request<string>('POST', sessions, {
      body: { library_item_id: itemId },
      headers: { traceparent: `00-${'0'.repeat(32)}-${randomBytes(8).toString('hex')}-01` },
    });
    const session = created.body;
    const traceparent = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
    const added = await deployment.alice.request('POST', `${sessions}/${session}/file`, {
      body: {
        name: 'traced.iso',
        source_type: 'PULL',
        source_endpoint: { uri: `${http.baseUrl}/file.bin` },
      },
      headers: { traceparent },
    });
    expect(added.status).toBe(201);

    const events = await eventually(
      async () =>
        (
          await deployment.admin.request<{ events: Entry[] }>(
            'GET',
            `/api/cls/update-sessions/${session}/history`,
          )
        ).body.events,
      (entries) => entries.some((entry) => entry.type === 'UpdateSessionFileReceived'),
      { what: 'the pull to finish' },
    );
    expect(events.map((entry) => [entry.type, entry.actor, entry.traceparent])).toEqual([
      ['UpdateSessionCreated', 'alice', undefined],
      ['UpdateSessionFileAdded', 'alice', traceparent],
      ['UpdateSessionFileTransferStarted', 'system:transfer', traceparent],
      ['UpdateSessionFileReceived', 'system:transfer', traceparent],
    ]);
  });
});

describe('secrets in pull source URLs', () => {
  it('pulls with the credentials and query of the URL, but no event, view or answer keeps them', async () => {
    const alice = new ContentLibraryDriver('api', deployment.alice);
    const { itemId } = await alice.newLibraryItem({ name: 'signed.iso' });
    const session = alice.value<string>(await alice.createSession({ library_item_id: itemId }));
    const password = `pw-${randomUUID()}`;
    const signature = `sig-${randomUUID()}`;
    const source = new URL(`${http.baseUrl}/file.bin?signature=${signature}`);
    source.username = 'puller';
    source.password = password;
    const before = http.requests.length;
    expect(
      (
        await alice.addFile(session, {
          name: 'signed.iso',
          source_type: 'PULL',
          source_endpoint: { uri: source.toString() },
        })
      ).status,
    ).toBe(201);
    await eventually(
      async () => alice.value<FileInfo>(await alice.getFile(session, 'signed.iso')).status,
      (status) => status === 'READY',
      { what: 'the signed pull' },
    );

    const pulled = http.requests.slice(before).find((request) => request.path === '/file.bin');
    expect(pulled).toMatchObject({
      query: `?signature=${signature}`,
      authorization: `Basic ${Buffer.from(`puller:${password}`).toString('base64')}`,
    });
    const shown = alice.value<{ source_endpoint: { uri: string } }>(
      await alice.getFile(session, 'signed.iso'),
    );
    expect(shown.source_endpoint.uri).toBe(`${http.baseUrl}/file.bin`);

    const db = await deployment.database.open();
    const leaks = async (table: string, column: string) =>
      (
        await db.query<{ count: number }[]>(
          `SELECT count(*)::int AS count FROM ${table}
            WHERE ${column}::text LIKE '%' || $1 || '%' OR ${column}::text LIKE '%' || $2 || '%'`,
          [password, signature],
        )
      )[0]!.count;
    expect(await leaks('events', 'data')).toBe(0);
    expect(await leaks('update_session_file_view', 'source_endpoint')).toBe(0);
    expect(await leaks('pull_source_secret', 'uri')).toBe(1);

    await alice.action(session, 'cancel');
    await eventually(
      () => leaks('pull_source_secret', 'uri'),
      (count) => count === 0,
      { what: 'the ended session to forget its source URL' },
    );
  });
});
