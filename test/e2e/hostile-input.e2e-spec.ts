import type { Style } from '@cls/testing';
import { ContentLibraryDriver, expectError, HttpClient } from '@cls/testing';

import type { Deployment } from './deployment';
import { ALICE_PRIVILEGES, startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_hostile');
});

afterAll(() => deployment?.stop());

const backing = { storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }] };

describe.each<Style>(['rest', 'api'])('hostile input at the edge over /%s', (style) => {
  let alice: ContentLibraryDriver;
  const librariesPath = () =>
    style === 'rest' ? '/rest/com/vmware/content/local-library' : '/api/content/local-library';

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
  });

  const libraryCount = async () => alice.value<string[]>(await alice.listLibraries()).length;

  it.each([
    ['a NUL', 'lib\u0000name'],
    ['an unpaired surrogate', 'lib\ud800name'],
    ['a string of 100 kB', 'x'.repeat(100_000)],
  ])('a name with %s is invalid_argument and creates nothing', async (_what, name) => {
    const before = await libraryCount();
    expectError(style, await alice.createLibrary({ name, ...backing }), 'INVALID_ARGUMENT');
    expect(await libraryCount()).toBe(before);
  });

  /** A request the framework refuses before routing: its status, and the vAPI body of the style. */
  async function refusedByFramework(path: string, status: number): Promise<void> {
    const response = await fetch(new URL(path, deployment.api.baseUrl));
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as Record<string, unknown>;
    const error = style === 'rest' ? body.value : body;
    if (style === 'rest') expect(body.type).toBe('com.vmware.vapi.std.errors.invalid_request');
    expect(error).toMatchObject({
      error_type: 'INVALID_REQUEST',
      messages: [expect.objectContaining({ id: 'com.vmware.vapi.rest.badRequest' })],
    });
  }

  it('a path segment past the router limit is 414, an undecodable URL 400, headers too large 431: all in the vAPI shape', async () => {
    const library =
      style === 'rest' ? '/rest/com/vmware/content/library/id:' : '/api/content/library/';
    await refusedByFramework(`${library}${'x'.repeat(5_000)}`, 414);
    await refusedByFramework(`${library}%E0%A4%A`, 400);
    await refusedByFramework(`${librariesPath()}?filler=${'x'.repeat(20_000)}`, 431);
  });

  it('a body over 1 MiB, or not JSON by its content type, is invalid_request in the vAPI shape; nothing created', async () => {
    const before = await libraryCount();
    const oversized = await deployment.alice.request('POST', librariesPath(), {
      body: { name: 'x'.repeat(2 * 1024 * 1024), ...backing },
    });
    expectError(style, oversized, 'INVALID_REQUEST');
    const plain = await deployment.alice.request('POST', librariesPath(), {
      rawBody: 'name=lib',
      headers: { 'content-type': 'text/plain' },
    });
    expectError(style, plain, 'INVALID_REQUEST');
    expect(await libraryCount()).toBe(before);
  });

  it('a body nested 100,000 deep is invalid_request, never a 500', async () => {
    const depth = 100_000;
    const answer = await deployment.alice.request('POST', librariesPath(), {
      rawBody: `${'['.repeat(depth)}${']'.repeat(depth)}`,
    });
    expectError(style, answer, 'INVALID_REQUEST');
  });
});

describe('hostile credentials', () => {
  it('a user re-created under a deleted user’s name inherits none of its sessions or logins', async () => {
    const { admin } = deployment;
    const createFrank = async () =>
      expect(
        (
          await admin.request('POST', '/api/cls/users', {
            body: {
              name: 'frank',
              password: 'frank-password',
              grants: ALICE_PRIVILEGES.map((privilege) => ({ privilege })),
            },
          })
        ).status,
      ).toBe(201);
    await createFrank();
    const first = await new HttpClient(deployment.api.baseUrl).login('frank', 'frank-password');
    const frank = new ContentLibraryDriver('api', first);
    const { itemId } = await frank.newLibraryItem({ name: 'franks' });
    const update = frank.value<string>(await frank.createSession({ library_item_id: itemId }));
    const download = frank.value<string>(
      await frank.createDownloadSession({ library_item_id: itemId }),
    );

    expect((await admin.request('DELETE', '/api/cls/users/frank')).status).toBe(204);
    expect((await first.request('GET', '/api/session')).status).toBe(401);
    await createFrank();
    const again = new ContentLibraryDriver(
      'api',
      await new HttpClient(deployment.api.baseUrl).login('frank', 'frank-password'),
    );

    expect(again.value<string[]>(await again.listSessions())).toEqual([]);
    expect(again.value<string[]>(await again.listDownloadSessions())).toEqual([]);
    expectError('api', await again.getSession(update), 'NOT_FOUND');
    expectError('api', await again.getDownloadSession(download), 'NOT_FOUND');
    // Deleted, not merely hidden: an administrator, who sees every session, finds them gone.
    const asAdmin = new ContentLibraryDriver('api', admin);
    expectError('api', await asAdmin.getSession(update), 'NOT_FOUND');
    expectError('api', await asAdmin.getDownloadSession(download), 'NOT_FOUND');
    // The item is free for a new session: the ACTIVE one was canceled before it was deleted.
    expect((await again.createSession({ library_item_id: itemId })).status).toBe(201);
  });

  it('sessions a deletion cut short left behind are not handed to the next user of the name', async () => {
    const { admin } = deployment;
    const grace = {
      name: 'grace',
      password: 'grace-password',
      grants: ALICE_PRIVILEGES.map((privilege) => ({ privilege })),
    };
    expect((await admin.request('POST', '/api/cls/users', { body: grace })).status).toBe(201);
    const first = new ContentLibraryDriver(
      'api',
      await new HttpClient(deployment.api.baseUrl).login('grace', 'grace-password'),
    );
    const { itemId } = await first.newLibraryItem({ name: 'graces' });
    const left = first.value<string>(await first.createSession({ library_item_id: itemId }));
    // As if the service stopped between removing the user and deleting its sessions.
    const db = await deployment.database.open();
    await db.query('DELETE FROM cls_user WHERE name = $1', ['grace']);

    expect((await admin.request('POST', '/api/cls/users', { body: grace })).status).toBe(201);
    const next = new ContentLibraryDriver(
      'api',
      await new HttpClient(deployment.api.baseUrl).login('grace', 'grace-password'),
    );
    expect(next.value<string[]>(await next.listSessions())).toEqual([]);
    expectError('api', await next.getSession(left), 'NOT_FOUND');
  });

  it('a login whose user name holds a NUL is refused as unauthenticated, never a 500', async () => {
    for (const style of ['api', 'rest'] as const) {
      await expect(
        new HttpClient(deployment.api.baseUrl).login('ali\u0000ce', 'alice-password', style),
      ).rejects.toThrow(/401/);
    }
  });
});
