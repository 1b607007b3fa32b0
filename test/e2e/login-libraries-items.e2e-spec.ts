import { randomBytes, randomUUID } from 'node:crypto';

import type { HttpResult, Style } from '@cls/testing';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  ContentLibraryDriver,
  expectError,
  HttpClient,
} from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_login_libraries_items');
}, 60_000);

afterAll(() => deployment?.stop());

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TOKEN = /^[0-9a-f]{32}$/;
const AUTH_REQUIRED = 'com.vmware.vapi.endpoint.method.authentication.required';
const DATASTORE = { type: 'DATASTORE', datastore_id: 'datastore-1' };

// Typed asymmetric matchers (jest's are `any`).
const anIsoTime = (): string => expect.stringMatching(ISO_MS) as string;
const aToken = (): string => expect.stringMatching(TOKEN) as string;
const aString = (): string => expect.any(String) as string;

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A client carrying no session token at all. */
function anonymous(): HttpClient {
  return new HttpClient(deployment.api.baseUrl);
}

/** The raw session operations of §3.1 in either style. */
class SessionCalls {
  constructor(readonly style: Style) {}

  create(
    authorization: string | undefined,
    headers: Record<string, string> = {},
  ): Promise<HttpResult> {
    const all = { ...headers, ...(authorization === undefined ? {} : { authorization }) };
    return this.style === 'rest'
      ? anonymous().request('POST', '/rest/com/vmware/cis/session', { headers: all })
      : anonymous().request('POST', '/api/session', { headers: all });
  }

  get(client: HttpClient, headers: Record<string, string> = {}): Promise<HttpResult> {
    return this.style === 'rest'
      ? client.request('POST', '/rest/com/vmware/cis/session?~action=get', { headers })
      : client.request('GET', '/api/session', { headers });
  }

  remove(client: HttpClient): Promise<HttpResult> {
    return client.request(
      'DELETE',
      this.style === 'rest' ? '/rest/com/vmware/cis/session' : '/api/session',
    );
  }

  /** The token out of a successful create, in either envelope. */
  token(result: HttpResult): string {
    return this.style === 'rest'
      ? (result.body as { value: string }).value
      : (result.body as string);
  }
}

describe.each<Style>(['rest', 'api'])('login (§3.1) over /%s', (style) => {
  let calls: SessionCalls;
  let driver: (client: HttpClient) => ContentLibraryDriver;

  beforeAll(() => {
    calls = new SessionCalls(style);
    driver = (client) => new ContentLibraryDriver(style, client);
  });

  async function login(user = 'alice', password = 'alice-password'): Promise<HttpClient> {
    const created = await calls.create(basic(user, password));
    expect(created.status).toBe(style === 'rest' ? 200 : 201);
    return anonymous().withToken(calls.token(created));
  }

  it('create answers with a 32-hex token, get describes the session, delete ends it', async () => {
    const before = Date.now();
    const created = await calls.create(basic('alice', 'alice-password'));
    expect(created.status).toBe(style === 'rest' ? 200 : 201);
    if (style === 'rest') expect(created.body).toEqual({ value: aToken() });
    else expect(created.body).toEqual(aToken());
    const token = calls.token(created);
    const client = anonymous().withToken(token);

    const info = await calls.get(client);
    expect(info.status).toBe(200);
    const model = driver(client).value<Record<string, string>>(info);
    expect(model).toEqual({
      user: 'alice',
      created_time: anIsoTime(),
      last_accessed_time: anIsoTime(),
    });
    expect(Date.parse(model.created_time ?? '')).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(model.last_accessed_time ?? '')).toBeGreaterThanOrEqual(
      Date.parse(model.created_time ?? ''),
    );

    // The token works for ordinary calls too.
    expect((await driver(client).listLibraries()).status).toBe(200);

    const removed = await calls.remove(client);
    expect(removed.status).toBe(style === 'rest' ? 200 : 204);
    expect(removed.body).toBeUndefined();
    expectError(style, await calls.get(client), 'UNAUTHENTICATED', AUTH_REQUIRED);
    expectError(style, await driver(client).listLibraries(), 'UNAUTHENTICATED', AUTH_REQUIRED);
    expectError(style, await calls.remove(client), 'UNAUTHENTICATED', AUTH_REQUIRED);
  });

  it('every login gets its own token; ending one leaves the other working', async () => {
    const first = await login();
    const second = await login();
    expect(first.token).not.toBe(second.token);
    await calls.remove(first);
    expect((await calls.get(second)).status).toBe(200);
  });

  it('the administrator logs in with the configured password', async () => {
    const admin = await login(ADMIN_USER, ADMIN_PASSWORD);
    expect(driver(admin).value<{ user: string }>(await calls.get(admin)).user).toBe(ADMIN_USER);
  });

  it('bad credentials, no Authorization header and malformed Basic headers are unauthenticated', async () => {
    const rejected = [
      basic('alice', 'wrong-password'),
      basic('nobody', 'alice-password'),
      basic('alice', ''),
      undefined,
      'Basic',
      'Basic !!!not-base64!!!',
      `Basic ${Buffer.from('alice-without-colon').toString('base64')}`,
      `Basic ${Buffer.from(':alice-password').toString('base64')}`,
      'Bearer 0123456789abcdef0123456789abcdef',
    ];
    for (const authorization of rejected) {
      const result = await calls.create(authorization);
      const error = expectError(style, result, 'UNAUTHENTICATED', AUTH_REQUIRED);
      expect(error.messages[0]?.args).toEqual([]);
      expect(result.headers.get('set-cookie')).toBeNull();
    }
  });

  it('a forged or missing token is unauthenticated on API calls', async () => {
    const forged = anonymous().withToken(randomBytes(16).toString('hex'));
    expectError(style, await driver(forged).listLibraries(), 'UNAUTHENTICATED', AUTH_REQUIRED);
    expectError(
      style,
      await driver(forged).getItem(randomUUID()),
      'UNAUTHENTICATED',
      AUTH_REQUIRED,
    );
    expectError(style, await calls.get(forged), 'UNAUTHENTICATED', AUTH_REQUIRED);
    expectError(style, await driver(anonymous()).listLibraries(), 'UNAUTHENTICATED', AUTH_REQUIRED);
    expectError(
      style,
      await driver(anonymous()).createLibrary({ name: 'x', storage_backings: [DATASTORE] }),
      'UNAUTHENTICATED',
      AUTH_REQUIRED,
    );
    expectError(style, await calls.get(anonymous()), 'UNAUTHENTICATED', AUTH_REQUIRED);
    expectError(style, await calls.remove(anonymous()), 'UNAUTHENTICATED', AUTH_REQUIRED);
    expectError(
      style,
      await driver(anonymous().withToken('')).listLibraries(),
      'UNAUTHENTICATED',
      AUTH_REQUIRED,
    );
  });

  if (style === 'rest') {
    it('login sets the legacy session cookie unless vmware-use-header-authn: true is sent', async () => {
      const withCookie = await calls.create(basic('alice', 'alice-password'));
      const token = calls.token(withCookie);
      const cookie = withCookie.headers.get('set-cookie');
      expect(cookie).not.toBeNull();
      expect(cookie).toMatch(new RegExp(`^vmware-api-session-id=${token}(;|$)`));
      expect(cookie).toMatch(/Path=\/rest/i);
      expect(cookie).toMatch(/HttpOnly/i);

      const headerOnly = await calls.create(basic('alice', 'alice-password'), {
        'vmware-use-header-authn': 'true',
      });
      expect(headerOnly.status).toBe(200);
      expect(calls.token(headerOnly)).toMatch(TOKEN);
      expect(headerOnly.headers.get('set-cookie')).toBeNull();
    });

    it('accepts the session cookie instead of the header', async () => {
      const token = calls.token(await calls.create(basic('alice', 'alice-password')));
      const cookie = { cookie: `vmware-api-session-id=${token}` };
      const info = await calls.get(anonymous(), cookie);
      expect(info.status).toBe(200);
      expect((info.body as { value: { user: string } }).value.user).toBe('alice');
      const list = await anonymous().request('GET', '/rest/com/vmware/content/local-library', {
        headers: cookie,
      });
      expect(list.status).toBe(200);
      expect(Array.isArray((list.body as { value: unknown }).value)).toBe(true);
      const forgedCookie = { cookie: `vmware-api-session-id=${randomBytes(16).toString('hex')}` };
      expectError(
        style,
        await calls.get(anonymous(), forgedCookie),
        'UNAUTHENTICATED',
        AUTH_REQUIRED,
      );
      // Logging out through the cookie ends the session.
      expect(
        (await anonymous().request('DELETE', '/rest/com/vmware/cis/session', { headers: cookie }))
          .status,
      ).toBe(200);
      expectError(style, await calls.get(anonymous(), cookie), 'UNAUTHENTICATED', AUTH_REQUIRED);
    });

    it('an unknown ~action on the session service is operation_not_found', async () => {
      const client = await login();
      expectError(
        style,
        await client.request('POST', '/rest/com/vmware/cis/session?~action=explode'),
        'OPERATION_NOT_FOUND',
      );
    });
  } else {
    it('does not take the legacy cookie (it is /rest only)', async () => {
      const token = calls.token(await calls.create(basic('alice', 'alice-password')));
      expectError(
        style,
        await calls.get(anonymous(), { cookie: `vmware-api-session-id=${token}` }),
        'UNAUTHENTICATED',
        AUTH_REQUIRED,
      );
      expect((await calls.get(anonymous().withToken(token))).status).toBe(200);
    });
  }
});

describe.each<Style>(['rest', 'api'])('libraries (§3.2, §3.3) over /%s', (style) => {
  let alice: ContentLibraryDriver;
  let bob: ContentLibraryDriver;

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
    bob = new ContentLibraryDriver(style, deployment.bob);
  });

  const localLibraryPath =
    style === 'rest' ? '/rest/com/vmware/content/local-library' : '/api/content/local-library';

  async function newLibrary(spec: Record<string, unknown> = {}): Promise<string> {
    const created = await alice.createLibrary({
      name: `lib-${randomUUID()}`,
      storage_backings: [DATASTORE],
      ...spec,
    });
    expect(created.status).toBe(alice.ok('create'));
    return alice.value<string>(created);
  }

  it('creates a DATASTORE-backed library that get (library and local-library) and list report', async () => {
    const before = Date.now();
    const name = `iso-${randomUUID()}`;
    const created = await alice.createLibrary({
      name,
      description: 'ISO images',
      type: 'LOCAL',
      storage_backings: [DATASTORE],
    });
    expect(created.status).toBe(alice.ok('create'));
    const id = alice.value<string>(created);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const expected = {
      id,
      name,
      description: 'ISO images',
      type: 'LOCAL',
      storage_backings: [DATASTORE],
      creation_time: anIsoTime(),
      last_modified_time: anIsoTime(),
      version: '1',
    };
    const local = await alice.getLibrary(id, true);
    expect(local.status).toBe(200);
    const model = alice.value<Record<string, string>>(local);
    expect(model).toEqual(expected);
    expect(Date.parse(model.creation_time ?? '')).toBeGreaterThanOrEqual(before - 1_000);
    const generic = await alice.getLibrary(id, false);
    expect(generic.status).toBe(200);
    expect(alice.value(generic)).toEqual(expected);

    for (const local of [true, false]) {
      const list = await alice.listLibraries(local);
      expect(list.status).toBe(200);
      expect(alice.value<string[]>(list)).toContain(id);
    }
    // System.Read is enough to read.
    expect(bob.value(await bob.getLibrary(id))).toEqual(expected);
    expect(bob.value<string[]>(await bob.listLibraries())).toContain(id);
  });

  it('creates an OTHER-backed library on a file:// folder under the storage root', async () => {
    const uri = `file://${deployment.env.STORAGE_ROOT}/other-${randomUUID()}`;
    const id = await newLibrary({ storage_backings: [{ type: 'OTHER', storage_uri: uri }] });
    const model = alice.value<Record<string, unknown>>(await alice.getLibrary(id));
    expect(model).toEqual({
      id,
      name: aString(),
      description: '',
      type: 'LOCAL',
      storage_backings: [{ type: 'OTHER', storage_uri: uri }],
      creation_time: anIsoTime(),
      last_modified_time: anIsoTime(),
      version: '1',
    });
  });

  it('create with the same client_token returns the same library; a non-UUID token is invalid_argument', async () => {
    const token = randomUUID();
    const spec = { name: `tok-${randomUUID()}`, storage_backings: [DATASTORE] };
    const first = await alice.createLibrary(spec, token);
    expect(first.status).toBe(alice.ok('create'));
    const id = alice.value<string>(first);
    const again = await alice.createLibrary(spec, token);
    expect(again.status).toBe(alice.ok('create'));
    expect(alice.value<string>(again)).toBe(id);
    if (style === 'api') {
      const viaHeader = await deployment.alice.request('POST', '/api/content/local-library', {
        body: spec,
        headers: { 'client-token': token },
      });
      expect(viaHeader.status).toBe(201);
      expect(viaHeader.body).toBe(id);
    }
    expect(
      alice.value<string[]>(await alice.listLibraries()).filter((entry) => entry === id),
    ).toEqual([id]);
    const other = alice.value<string>(
      await alice.createLibrary({ ...spec, name: `tok-${randomUUID()}` }, randomUUID()),
    );
    expect(other).not.toBe(id);
    expectError(style, await alice.createLibrary(spec, 'not-a-uuid'), 'INVALID_ARGUMENT');
  });

  it('rejects bad create specs with the contract error types', async () => {
    const before = alice.value<string[]>(await alice.listLibraries());
    const name = `bad-${randomUUID()}`;
    expectError(
      style,
      await alice.createLibrary({ storage_backings: [DATASTORE] }),
      'INVALID_ARGUMENT',
    );
    expectError(
      style,
      await alice.createLibrary({ name: '', storage_backings: [DATASTORE] }),
      'INVALID_ARGUMENT',
    );
    expectError(
      style,
      await alice.createLibrary({ name, storage_backings: [DATASTORE, DATASTORE] }),
      'UNSUPPORTED',
    );
    expectError(
      style,
      await alice.createLibrary({
        name,
        storage_backings: [
          DATASTORE,
          { type: 'OTHER', storage_uri: `file://${deployment.env.STORAGE_ROOT}/two` },
        ],
      }),
      'UNSUPPORTED',
    );
    expectError(
      style,
      await alice.createLibrary({ name, storage_backings: [] }),
      'INVALID_ARGUMENT',
    );
    expectError(style, await alice.createLibrary({ name }), 'INVALID_ARGUMENT');
    expectError(
      style,
      await alice.createLibrary({
        name,
        storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-404' }],
      }),
      'INVALID_ARGUMENT',
    );
    expectError(
      style,
      await alice.createLibrary({ name, storage_backings: [{ type: 'DATASTORE' }] }),
      'INVALID_ARGUMENT',
    );
    expectError(
      style,
      await alice.createLibrary({
        name,
        storage_backings: [{ type: 'OTHER', storage_uri: 'file:///etc' }],
      }),
      'INVALID_ARGUMENT',
    );
    expectError(
      style,
      await alice.createLibrary({
        name,
        storage_backings: [
          { type: 'OTHER', storage_uri: `file://${deployment.env.STORAGE_ROOT}/../escape` },
        ],
      }),
      'INVALID_ARGUMENT',
    );
    expectError(
      style,
      await alice.createLibrary({
        name,
        storage_backings: [{ type: 'OTHER', storage_uri: 'nfs://server/share' }],
      }),
      'INVALID_ARGUMENT',
    );
    expectError(
      style,
      await alice.createLibrary({ name, storage_backings: [DATASTORE], bogus: true }),
      'INVALID_REQUEST',
    );
    expectError(
      style,
      await alice.createLibrary({ name, storage_backings: [{ ...DATASTORE, bogus: true }] }),
      'INVALID_REQUEST',
    );
    expectError(
      style,
      await alice.createLibrary({ name: 42, storage_backings: [DATASTORE] }),
      'INVALID_REQUEST',
    );
    if (style === 'rest') {
      expectError(
        style,
        await deployment.alice.request('POST', localLibraryPath, {
          body: { create_spec: { name, storage_backings: [DATASTORE] }, bogus: 1 },
        }),
        'INVALID_REQUEST',
      );
    }
    expectError(
      style,
      await deployment.alice.request('POST', localLibraryPath, { rawBody: '{"name": ' }),
      'INVALID_REQUEST',
    );
    // Nothing was created by any of them.
    expect(alice.value<string[]>(await alice.listLibraries())).toEqual(before);
  });

  it('get of an unknown id is not_found in both services', async () => {
    const unknown = randomUUID();
    expectError(style, await alice.getLibrary(unknown, true), 'NOT_FOUND');
    expectError(style, await alice.getLibrary(unknown, false), 'NOT_FOUND');
    expectError(style, await alice.getLibrary('not-a-uuid', true), 'NOT_FOUND');
    expectError(style, await alice.deleteLibrary(unknown), 'NOT_FOUND');
  });

  it('delete removes the library and its items', async () => {
    const libraryId = await newLibrary();
    const items: string[] = [];
    for (const name of ['a.iso', 'b.iso']) {
      const created = await alice.createItem({ library_id: libraryId, name, type: 'iso' });
      expect(created.status).toBe(alice.ok('create'));
      items.push(alice.value<string>(created));
    }
    const removed = await alice.deleteLibrary(libraryId);
    expect(removed.status).toBe(alice.ok('void'));
    expect(removed.body).toBeUndefined();
    expectError(style, await alice.getLibrary(libraryId, true), 'NOT_FOUND');
    expectError(style, await alice.getLibrary(libraryId, false), 'NOT_FOUND');
    expect(alice.value<string[]>(await alice.listLibraries())).not.toContain(libraryId);
    for (const itemId of items) expectError(style, await alice.getItem(itemId), 'NOT_FOUND');
    expectError(style, await alice.listItems(libraryId), 'NOT_FOUND');
    expectError(style, await alice.deleteLibrary(libraryId), 'NOT_FOUND');
  });

  it('an item create racing the library delete never leaves an item in a deleted library', async () => {
    for (let round = 0; round < 15; round += 1) {
      const libraryId = await newLibrary();
      const [created, deleted] = await Promise.all([
        alice.createItem({ library_id: libraryId, name: 'racer.iso', type: 'iso' }),
        alice.deleteLibrary(libraryId),
      ]);
      expect(deleted.status).toBe(alice.ok('void'));
      if (created.status === alice.ok('create'))
        expectError(style, await alice.getItem(alice.value<string>(created)), 'NOT_FOUND');
      else expectError(style, created, 'NOT_FOUND');
    }
  });

  it('creating needs ContentLibrary.CreateLocalLibrary and deleting ContentLibrary.DeleteLocalLibrary (403 names them)', async () => {
    const before = alice.value<string[]>(await alice.listLibraries());
    const denied = expectError(
      style,
      await bob.createLibrary({ name: `bob-${randomUUID()}`, storage_backings: [DATASTORE] }),
      'UNAUTHORIZED',
    );
    expect(denied.messages[0]?.default_message).toContain('ContentLibrary.CreateLocalLibrary');
    expect(alice.value<string[]>(await alice.listLibraries())).toEqual(before);

    const libraryId = await newLibrary();
    const deleteDenied = expectError(style, await bob.deleteLibrary(libraryId), 'UNAUTHORIZED');
    expect(deleteDenied.messages[0]?.default_message).toContain(
      'ContentLibrary.DeleteLocalLibrary',
    );
    expect((await alice.getLibrary(libraryId)).status).toBe(200);
  });
});

describe.each<Style>(['rest', 'api'])('library items (§3.4) over /%s', (style) => {
  let alice: ContentLibraryDriver;
  let bob: ContentLibraryDriver;

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
    bob = new ContentLibraryDriver(style, deployment.bob);
  });

  const itemPath =
    style === 'rest' ? '/rest/com/vmware/content/library/item' : '/api/content/library/item';

  async function newLibrary(): Promise<{ id: string; name: string }> {
    const name = `lib-${randomUUID()}`;
    const created = await alice.createLibrary({ name, storage_backings: [DATASTORE] });
    expect(created.status).toBe(alice.ok('create'));
    return { id: alice.value<string>(created), name };
  }

  it('create, get, list and delete an item', async () => {
    const library = await newLibrary();
    const before = Date.now();
    const created = await alice.createItem({
      library_id: library.id,
      name: 'photon-5.iso',
      description: 'Photon OS',
      type: 'iso',
    });
    expect(created.status).toBe(alice.ok('create'));
    const itemId = alice.value<string>(created);
    expect(itemId).toMatch(/^[0-9a-f-]{36}$/);

    const fetched = await alice.getItem(itemId);
    expect(fetched.status).toBe(200);
    const model = alice.value<Record<string, unknown>>(fetched);
    expect(model).toEqual({
      id: itemId,
      library_id: library.id,
      name: 'photon-5.iso',
      description: 'Photon OS',
      type: 'iso',
      content_version: '1',
      metadata_version: '1',
      version: '1',
      cached: false,
      size: 0,
      creation_time: anIsoTime(),
      last_modified_time: anIsoTime(),
    });
    expect(Date.parse(model.creation_time as string)).toBeGreaterThanOrEqual(before - 1_000);

    const list = await alice.listItems(library.id);
    expect(list.status).toBe(200);
    expect(alice.value<string[]>(list)).toEqual([itemId]);

    const removed = await alice.deleteItem(itemId);
    expect(removed.status).toBe(alice.ok('void'));
    expect(removed.body).toBeUndefined();
    expectError(style, await alice.getItem(itemId), 'NOT_FOUND');
    expect(alice.value<string[]>(await alice.listItems(library.id))).toEqual([]);
    expectError(style, await alice.deleteItem(itemId), 'NOT_FOUND');
  });

  it('an item without a type or description has an empty description and no type', async () => {
    const library = await newLibrary();
    const itemId = alice.value<string>(
      await alice.createItem({ library_id: library.id, name: 'notes' }),
    );
    const model = alice.value<Record<string, unknown>>(await alice.getItem(itemId));
    expect(model).toMatchObject({
      name: 'notes',
      description: '',
      content_version: '1',
      cached: false,
      size: 0,
    });
    expect(model).not.toHaveProperty('type');
  });

  it('a second item with the same name in a library is already_exists; another library may reuse it', async () => {
    const library = await newLibrary();
    const first = alice.value<string>(
      await alice.createItem({ library_id: library.id, name: 'dup.iso', type: 'iso' }),
    );
    const error = expectError(
      style,
      await alice.createItem({ library_id: library.id, name: 'dup.iso', type: 'iso' }),
      'ALREADY_EXISTS',
      'com.vmware.vdcs.cls-main.duplicate_item_name_unsupported_in_library',
    );
    expect(error.messages[0]?.args).toEqual(['dup.iso', library.name, library.id]);
    expect(alice.value<string[]>(await alice.listItems(library.id))).toEqual([first]);

    const other = await newLibrary();
    expect((await alice.createItem({ library_id: other.id, name: 'dup.iso' })).status).toBe(
      alice.ok('create'),
    );
    // Once the first is deleted its name is free again.
    await alice.deleteItem(first);
    expect((await alice.createItem({ library_id: library.id, name: 'dup.iso' })).status).toBe(
      alice.ok('create'),
    );
  });

  it('names are 1 to 80 characters', async () => {
    const library = await newLibrary();
    const eighty = 'n'.repeat(80);
    const ok = await alice.createItem({ library_id: library.id, name: eighty });
    expect(ok.status).toBe(alice.ok('create'));
    expect(alice.value<{ name: string }>(await alice.getItem(alice.value<string>(ok))).name).toBe(
      eighty,
    );
    expectError(
      style,
      await alice.createItem({ library_id: library.id, name: 'm'.repeat(81) }),
      'INVALID_ARGUMENT',
    );
    expectError(
      style,
      await alice.createItem({ library_id: library.id, name: '' }),
      'INVALID_ARGUMENT',
    );
    expectError(
      style,
      await alice.createItem({
        library_id: library.id,
        name: 'long',
        description: 'd'.repeat(2001),
      }),
      'INVALID_ARGUMENT',
    );
    expect(alice.value<string[]>(await alice.listItems(library.id))).toHaveLength(1);
  });

  it('rejects bad create specs: unknown library, missing fields, unknown fields', async () => {
    const library = await newLibrary();
    expectError(
      style,
      await alice.createItem({ library_id: randomUUID(), name: 'x' }),
      'NOT_FOUND',
    );
    expectError(
      style,
      await alice.createItem({ library_id: 'not-a-uuid', name: 'x' }),
      'NOT_FOUND',
    );
    expectError(style, await alice.createItem({ name: 'x' }), 'INVALID_ARGUMENT');
    expectError(style, await alice.createItem({ library_id: library.id }), 'INVALID_ARGUMENT');
    expectError(
      style,
      await alice.createItem({ library_id: library.id, name: 'x', bogus: 1 }),
      'INVALID_REQUEST',
    );
    expectError(
      style,
      await alice.createItem({ library_id: library.id, name: 7 }),
      'INVALID_REQUEST',
    );
    expect(alice.value<string[]>(await alice.listItems(library.id))).toEqual([]);
  });

  it('list needs an existing library_id', async () => {
    expectError(style, await deployment.alice.request('GET', itemPath), 'INVALID_ARGUMENT');
    expectError(style, await alice.listItems(randomUUID()), 'NOT_FOUND');
  });

  it('get of an unknown item is not_found', async () => {
    expectError(style, await alice.getItem(randomUUID()), 'NOT_FOUND');
    expectError(style, await alice.getItem('not-a-uuid'), 'NOT_FOUND');
  });

  it('create with the same client_token returns the same item and lists it once', async () => {
    const library = await newLibrary();
    const token = randomUUID();
    const spec = { library_id: library.id, name: 'retry.iso', type: 'iso' };
    const first = await alice.createItem(spec, token);
    expect(first.status).toBe(alice.ok('create'));
    const itemId = alice.value<string>(first);
    const again = await alice.createItem(spec, token);
    expect(again.status).toBe(alice.ok('create'));
    expect(alice.value<string>(again)).toBe(itemId);
    if (style === 'api') {
      const viaHeader = await deployment.alice.request('POST', itemPath, {
        body: spec,
        headers: { 'client-token': token },
      });
      expect(viaHeader.status).toBe(201);
      expect(viaHeader.body).toBe(itemId);
    }
    expect(alice.value<string[]>(await alice.listItems(library.id))).toEqual([itemId]);
    // A different token with the same name is a genuine duplicate.
    expectError(style, await alice.createItem(spec, randomUUID()), 'ALREADY_EXISTS');
    expectError(
      style,
      await alice.createItem({ ...spec, name: 'other.iso' }, 'not-a-uuid'),
      'INVALID_ARGUMENT',
    );
  });

  it('bob (System.Read only) cannot create or delete items but can get and list them', async () => {
    const library = await newLibrary();
    const denied = expectError(
      style,
      await bob.createItem({ library_id: library.id, name: 'bob.iso' }),
      'UNAUTHORIZED',
    );
    expect(denied.messages[0]?.default_message).toContain('ContentLibrary.AddLibraryItem');
    expect(alice.value<string[]>(await alice.listItems(library.id))).toEqual([]);

    const itemId = alice.value<string>(
      await alice.createItem({ library_id: library.id, name: 'shared.iso' }),
    );
    const fetched = await bob.getItem(itemId);
    expect(fetched.status).toBe(200);
    expect(bob.value<{ id: string }>(fetched).id).toBe(itemId);
    expect(bob.value<string[]>(await bob.listItems(library.id))).toEqual([itemId]);

    const deleteDenied = expectError(style, await bob.deleteItem(itemId), 'UNAUTHORIZED');
    expect(deleteDenied.messages[0]?.default_message).toContain('ContentLibrary.DeleteLibraryItem');
    expect((await alice.getItem(itemId)).status).toBe(200);
  });
});

describe.each<Style>(['rest', 'api'])('find libraries and items (§3.3, §3.4) over /%s', (style) => {
  let alice: ContentLibraryDriver;
  /** Reads one library (and its items) and one item of another library, nothing else. */
  let dave: ContentLibraryDriver;
  let seen: { id: string; name: string };
  let hidden: { id: string; name: string };
  let items: { seenIso: string; seenOvf: string; hiddenIso: string; grantedIso: string };

  async function newLibrary(name: string): Promise<{ id: string; name: string }> {
    const created = await alice.createLibrary({ name, storage_backings: [DATASTORE] });
    expect(created.status).toBe(alice.ok('create'));
    return { id: alice.value<string>(created), name };
  }

  async function newItem(libraryId: string, name: string, type?: string): Promise<string> {
    const created = await alice.createItem({
      library_id: libraryId,
      name,
      ...(type ? { type } : {}),
    });
    expect(created.status).toBe(alice.ok('create'));
    return alice.value<string>(created);
  }

  beforeAll(async () => {
    alice = new ContentLibraryDriver(style, deployment.alice);
    const tag = randomUUID();
    seen = await newLibrary(`Find-Seen-${tag}`);
    hidden = await newLibrary(`find-hidden-${tag}`);
    items = {
      seenIso: await newItem(seen.id, `Photon-${tag}.iso`, 'iso'),
      seenOvf: await newItem(seen.id, `tiny-${tag}`, 'OVF'),
      hiddenIso: await newItem(hidden.id, `photon-${tag}.iso`, 'iso'),
      grantedIso: await newItem(hidden.id, `granted-${tag}.iso`, 'iso'),
    };
    const name = `dave-${tag.slice(0, 8)}`;
    const created = await deployment.admin.request('POST', '/api/cls/users', {
      body: {
        name,
        password: 'dave-password',
        grants: [
          { privilege: 'System.Read', object_id: seen.id },
          { privilege: 'System.Read', object_id: items.grantedIso },
        ],
      },
    });
    expect(created.status).toBe(201);
    dave = new ContentLibraryDriver(
      style,
      await new HttpClient(deployment.api.baseUrl).login(name, 'dave-password'),
    );
  });

  const found = async (driver: ContentLibraryDriver, what: 'library' | 'item', spec: object) => {
    const result = await driver.find(what, spec as Record<string, unknown>);
    expect(result.status).toBe(200);
    return driver.value<string[]>(result);
  };

  it('finds libraries by name, case-insensitively, and by type', async () => {
    expect(await found(alice, 'library', { name: seen.name.toUpperCase() })).toEqual([seen.id]);
    expect(await found(alice, 'library', { name: hidden.name, type: 'LOCAL' })).toEqual([
      hidden.id,
    ]);
    expect(await found(alice, 'library', { name: hidden.name, type: 'SUBSCRIBED' })).toEqual([]);
    expect(await found(alice, 'library', { name: `no-such-${randomUUID()}` })).toEqual([]);
  });

  it('finds items by name and type (case-insensitive), library, cached; never by a source', async () => {
    const photon = `photon-${seen.name.slice('Find-Seen-'.length)}.iso`;
    expect((await found(alice, 'item', { name: photon })).sort()).toEqual(
      [items.seenIso, items.hiddenIso].sort(),
    );
    expect(await found(alice, 'item', { name: photon, library_id: seen.id })).toEqual([
      items.seenIso,
    ]);
    expect(await found(alice, 'item', { library_id: seen.id, type: 'ovf' })).toEqual([
      items.seenOvf,
    ]);
    expect(await found(alice, 'item', { library_id: hidden.id, cached: false })).toEqual([
      items.hiddenIso,
      items.grantedIso,
    ]);
    expect(await found(alice, 'item', { library_id: hidden.id, cached: true })).toEqual([]);
    expect(await found(alice, 'item', { library_id: seen.id, source_id: items.seenIso })).toEqual(
      [],
    );
    expect(await found(alice, 'item', { library_id: 'not-a-uuid' })).toEqual([]);
  });

  it('answers only ids the caller may read: a library grant shows its items, an item grant that item', async () => {
    const tag = seen.name.slice('Find-Seen-'.length);
    expect(await found(dave, 'library', { name: seen.name })).toEqual([seen.id]);
    expect(await found(dave, 'library', { name: hidden.name })).toEqual([]);
    expect((await found(dave, 'item', { name: `photon-${tag}.iso` })).sort()).toEqual([
      items.seenIso,
    ]);
    expect(await found(dave, 'item', { library_id: hidden.id })).toEqual([items.grantedIso]);
  });

  it('an empty spec is invalid_argument; an unknown property or a wrong type invalid_request', async () => {
    expectError(style, await alice.find('library', {}), 'INVALID_ARGUMENT');
    expectError(style, await alice.find('item', {}), 'INVALID_ARGUMENT');
    expectError(style, await alice.find('library', { label: 'x' }), 'INVALID_REQUEST');
    expectError(style, await alice.find('item', { cached: 'yes' }), 'INVALID_REQUEST');
  });
});

describe.each<Style>(['rest', 'api'])('unknown paths and operations over /%s', (style) => {
  let admin: HttpClient;

  beforeAll(() => {
    admin = deployment.admin;
  });

  if (style === 'api') {
    it('an unknown /api path is 404 not_found with com.vmware.vapi.rest.httpNotFound', async () => {
      expectError(
        style,
        await admin.request('GET', '/api/nope'),
        'NOT_FOUND',
        'com.vmware.vapi.rest.httpNotFound',
      );
      expectError(
        style,
        await admin.request('GET', '/api/content/nope/deeper'),
        'NOT_FOUND',
        'com.vmware.vapi.rest.httpNotFound',
      );
    });

    it('an unknown ?action is operation_not_found', async () => {
      expectError(
        style,
        await admin.request('POST', '/api/content/local-library?action=explode', { body: {} }),
        'OPERATION_NOT_FOUND',
      );
      expectError(
        style,
        await admin.request('POST', '/api/content/library/item?action=explode', { body: {} }),
        'OPERATION_NOT_FOUND',
      );
    });
  } else {
    it('an unknown /rest path is 404 operation_not_found', async () => {
      expectError(
        style,
        await admin.request('GET', '/rest/com/vmware/nope'),
        'OPERATION_NOT_FOUND',
      );
      expectError(
        style,
        await admin.request('POST', '/rest/com/vmware/content/nope', { body: {} }),
        'OPERATION_NOT_FOUND',
      );
    });

    it('a /rest id segment without the id: prefix names no operation', async () => {
      const uuid = randomUUID();
      expectError(
        style,
        await admin.request('GET', `/rest/com/vmware/content/library/item/${uuid}`),
        'OPERATION_NOT_FOUND',
      );
      expectError(
        style,
        await admin.request('DELETE', `/rest/com/vmware/content/library/item/${uuid}`),
        'OPERATION_NOT_FOUND',
      );
      expectError(
        style,
        await admin.request('GET', `/rest/com/vmware/content/local-library/${uuid}`),
        'OPERATION_NOT_FOUND',
      );
      expectError(
        style,
        await admin.request('GET', `/rest/com/vmware/content/library/${uuid}`),
        'OPERATION_NOT_FOUND',
      );
    });

    it('an unknown ~action is operation_not_found', async () => {
      expectError(
        style,
        await admin.request('POST', '/rest/com/vmware/content/local-library?~action=explode', {
          body: {},
        }),
        'OPERATION_NOT_FOUND',
      );
      expectError(
        style,
        await admin.request('POST', '/rest/com/vmware/content/library/item?~action=explode', {
          body: {},
        }),
        'OPERATION_NOT_FOUND',
      );
    });
  }
});

describe.each<Style>(['rest', 'api'])(
  'grants limited to one library and one item, over /%s',
  (style) => {
    it('read holds on the granted library and its items and on the granted item, nowhere else, and ends when revoked', async () => {
      const alice = new ContentLibraryDriver(style, deployment.alice);
      const granted = await alice.newLibraryItem();
      const sibling = alice.value<string>(
        await alice.createItem({ library_id: granted.libraryId, name: `sibling-${randomUUID()}` }),
      );
      const other = await alice.newLibraryItem();
      const otherItem = alice.value<string>(
        await alice.createItem({ library_id: other.libraryId, name: `other-${randomUUID()}` }),
      );

      const name = `scoped-${style}-${randomBytes(3).toString('hex')}`;
      const users = '/api/cls/users';
      expect(
        (await deployment.admin.request('POST', users, { body: { name, password: `${name}-pw` } }))
          .status,
      ).toBe(201);
      for (const objectId of [granted.libraryId, other.itemId]) {
        const added = await deployment.admin.request('POST', `${users}/${name}/grants`, {
          body: { privilege: 'System.Read', object_id: objectId },
        });
        expect(added.status).toBe(201);
      }
      const user = await deployment.admin.request<{ grants: unknown[] }>('GET', `${users}/${name}`);
      expect(user.body.grants).toEqual(
        expect.arrayContaining([
          { privilege: 'System.Read', object_id: granted.libraryId },
          { privilege: 'System.Read', object_id: other.itemId },
        ]),
      );

      const scoped = new ContentLibraryDriver(
        style,
        await new HttpClient(deployment.api.baseUrl).login(name, `${name}-pw`, style),
      );
      const read = scoped.ok('read');
      expect((await scoped.getLibrary(granted.libraryId)).status).toBe(read);
      expect((await scoped.getItem(granted.itemId)).status).toBe(read);
      expect((await scoped.getItem(sibling)).status).toBe(read);
      expect((await scoped.getItem(other.itemId)).status).toBe(read);
      expectError(style, await scoped.getLibrary(other.libraryId), 'UNAUTHORIZED');
      expectError(style, await scoped.getItem(otherItem), 'UNAUTHORIZED');
      expectError(style, await scoped.listItems(other.libraryId), 'UNAUTHORIZED');

      const revoked = await deployment.admin.request(
        'DELETE',
        `${users}/${name}/grants?privilege=System.Read&object_id=${granted.libraryId}`,
      );
      expect(revoked.status).toBe(200);
      expectError(style, await scoped.getLibrary(granted.libraryId), 'UNAUTHORIZED');
      expectError(style, await scoped.getItem(sibling), 'UNAUTHORIZED');
      expect((await scoped.getItem(other.itemId)).status).toBe(read);
    });
  },
);

describe('users administration (/api/cls/users)', () => {
  const usersPath = '/api/cls/users';

  function uniqueName(prefix: string): string {
    return `${prefix}-${randomBytes(4).toString('hex')}`;
  }

  async function tryLogin(user: string, password: string): Promise<HttpResult> {
    return anonymous().request('POST', '/api/session', {
      headers: { authorization: basic(user, password) },
    });
  }

  it('only administrators manage users (403 for alice)', async () => {
    const error = expectError(
      'api',
      await deployment.alice.request('GET', usersPath),
      'UNAUTHORIZED',
    );
    expect(error.messages[0]?.default_message).toContain('alice');
    expectError(
      'api',
      await deployment.alice.request('POST', usersPath, {
        body: { name: uniqueName('eve'), password: 'eve-password' },
      }),
      'UNAUTHORIZED',
    );
    expectError('api', await deployment.bob.request('GET', `${usersPath}/alice`), 'UNAUTHORIZED');
    expectError(
      'api',
      await anonymous().request('GET', usersPath),
      'UNAUTHENTICATED',
      AUTH_REQUIRED,
    );

    const list = await deployment.admin.request<{ name: string }[]>('GET', usersPath);
    expect(list.status).toBe(200);
    expect(list.body.map((user) => user.name)).toEqual(
      expect.arrayContaining([ADMIN_USER, 'alice', 'bob']),
    );
  });

  it('a created user logs in; a new password ends old sessions; a deleted user cannot log in', async () => {
    const name = uniqueName('carol');
    const created = await deployment.admin.request('POST', usersPath, {
      body: { name, password: 'carol-password', grants: [{ privilege: 'System.Read' }] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name,
      admin: false,
      grants: [{ privilege: 'System.Read' }],
      creation_time: anIsoTime(),
    });
    const fetched = await deployment.admin.request('GET', `${usersPath}/${name}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);

    const carol = await new HttpClient(deployment.api.baseUrl).login(name, 'carol-password');
    expect(carol.token).toMatch(TOKEN);
    expect((await carol.request('GET', '/api/content/local-library')).status).toBe(200);
    // System.Read only: creating a library is forbidden.
    expectError(
      'api',
      await carol.request('POST', '/api/content/local-library', {
        body: { name: 'c', storage_backings: [DATASTORE] },
      }),
      'UNAUTHORIZED',
    );

    const patched = await deployment.admin.request('PATCH', `${usersPath}/${name}`, {
      body: { password: 'carol-new-password' },
    });
    expect(patched.status).toBe(200);
    expectError(
      'api',
      await carol.request('GET', '/api/session'),
      'UNAUTHENTICATED',
      AUTH_REQUIRED,
    );
    expectError('api', await tryLogin(name, 'carol-password'), 'UNAUTHENTICATED', AUTH_REQUIRED);
    const fresh = await new HttpClient(deployment.api.baseUrl).login(name, 'carol-new-password');
    expect((await fresh.request('GET', '/api/session')).status).toBe(200);

    const removed = await deployment.admin.request('DELETE', `${usersPath}/${name}`);
    expect(removed.status).toBe(204);
    expectError(
      'api',
      await tryLogin(name, 'carol-new-password'),
      'UNAUTHENTICATED',
      AUTH_REQUIRED,
    );
    expectError(
      'api',
      await fresh.request('GET', '/api/session'),
      'UNAUTHENTICATED',
      AUTH_REQUIRED,
    );
    expectError('api', await deployment.admin.request('GET', `${usersPath}/${name}`), 'NOT_FOUND');
    expectError(
      'api',
      await deployment.admin.request('DELETE', `${usersPath}/${name}`),
      'NOT_FOUND',
    );
  });

  it('the last administrator can be neither demoted nor deleted; with another one, it can', async () => {
    const last = `${usersPath}/${ADMIN_USER}`;
    for (const attempt of [
      () => deployment.admin.request('PATCH', last, { body: { admin: false } }),
      () => deployment.admin.request('DELETE', last),
    ]) {
      const error = expectError('api', await attempt(), 'NOT_ALLOWED_IN_CURRENT_STATE');
      expect(error.messages[0]?.default_message).toContain('last administrator');
    }
    expect((await tryLogin(ADMIN_USER, ADMIN_PASSWORD)).status).toBe(201);

    const deputy = uniqueName('deputy');
    expect(
      (
        await deployment.admin.request('POST', usersPath, {
          body: { name: deputy, password: 'deputy-password', admin: true },
        })
      ).status,
    ).toBe(201);
    const demoted = await deployment.admin.request<{ admin: boolean }>(
      'PATCH',
      `${usersPath}/${deputy}`,
      {
        body: { admin: false },
      },
    );
    expect(demoted.body.admin).toBe(false);
    // The deputy was no administrator any more: the configured one is again the last.
    expectError(
      'api',
      await deployment.admin.request('DELETE', last),
      'NOT_ALLOWED_IN_CURRENT_STATE',
    );
    expect((await deployment.admin.request('DELETE', `${usersPath}/${deputy}`)).status).toBe(204);
  });

  it('a duplicate user is already_exists and a short password invalid_argument', async () => {
    const name = uniqueName('dave');
    expect(
      (
        await deployment.admin.request('POST', usersPath, {
          body: { name, password: 'dave-password' },
        })
      ).status,
    ).toBe(201);
    expectError(
      'api',
      await deployment.admin.request('POST', usersPath, {
        body: { name, password: 'other-password' },
      }),
      'ALREADY_EXISTS',
    );
    expectError(
      'api',
      await deployment.admin.request('POST', usersPath, {
        body: { name: 'alice', password: 'whatever-long' },
      }),
      'ALREADY_EXISTS',
    );
    // The failed duplicate did not change the password.
    expect((await tryLogin(name, 'dave-password')).status).toBe(201);

    const shortName = uniqueName('erin');
    expectError(
      'api',
      await deployment.admin.request('POST', usersPath, {
        body: { name: shortName, password: 'short' },
      }),
      'INVALID_ARGUMENT',
    );
    expectError(
      'api',
      await deployment.admin.request('POST', usersPath, {
        body: { name: shortName, password: '1234567' },
      }),
      'INVALID_ARGUMENT',
    );
    expectError('api', await tryLogin(shortName, 'short'), 'UNAUTHENTICATED');
    expectError(
      'api',
      await deployment.admin.request('PATCH', `${usersPath}/${name}`, {
        body: { password: 'tiny' },
      }),
      'INVALID_ARGUMENT',
    );
    expect((await tryLogin(name, 'dave-password')).status).toBe(201);
    // Exactly eight characters is long enough.
    expect(
      (
        await deployment.admin.request('POST', usersPath, {
          body: { name: shortName, password: '12345678' },
        })
      ).status,
    ).toBe(201);
  });
});

describe('health endpoints', () => {
  it('GET /healthz answers 200 without a session', async () => {
    const response = await fetch(`${deployment.api.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz reports Postgres and Redis reachable without a session', async () => {
    const response = await fetch(`${deployment.api.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', postgres: true, redis: true });
  });
});

describe('content types (§3.7)', () => {
  it('lists the OVF adapter in both styles, to those allowed to introspect', async () => {
    const ovf = expect.objectContaining({ type: 'ovf', name: 'OVF', vendor: aString() }) as unknown;
    const api = await deployment.admin.request('GET', '/api/content/type');
    expect(api.status).toBe(200);
    expect(api.body).toEqual([ovf]);
    const rest = await deployment.admin.request('GET', '/rest/com/vmware/content/type');
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({ value: [ovf] });

    expectError('api', await deployment.bob.request('GET', '/api/content/type'), 'UNAUTHORIZED');
  });
});
