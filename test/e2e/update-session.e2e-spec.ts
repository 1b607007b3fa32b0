import { randomUUID } from 'node:crypto';

import type { Style } from '@cls/testing';
import { ContentLibraryDriver, expectError } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_update_session');
}, 60_000);

afterAll(() => deployment?.stop());

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each<Style>(['rest', 'api'])('update sessions over /%s', (style) => {
  let alice: ContentLibraryDriver;
  let bob: ContentLibraryDriver;
  let admin: ContentLibraryDriver;

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
    bob = new ContentLibraryDriver(style, deployment.bob);
    admin = new ContentLibraryDriver(style, deployment.admin);
  });

  async function newItem(): Promise<string> {
    return (await alice.newLibraryItem({ name: 'photon-5', type: 'iso' })).itemId;
  }

  async function newSession(itemId?: string): Promise<{ itemId: string; sessionId: string }> {
    const item = itemId ?? (await newItem());
    const created = await alice.createSession({ library_item_id: item });
    expect(created.status).toBe(alice.ok('create'));
    return { itemId: item, sessionId: alice.value<string>(created) };
  }

  it('runs the §9.1 flow for a session without files: create, get, keep-alive, complete, delete', async () => {
    const itemId = await newItem();
    const { sessionId } = await newSession(itemId);
    const before = Date.now();

    const fetched = await alice.getSession(sessionId);
    expect(fetched.status).toBe(200);
    const model = alice.value<Record<string, unknown>>(fetched);
    expect(model).toEqual({
      id: sessionId,
      library_item_id: itemId,
      library_item_content_version: '1',
      client_progress: 0,
      state: 'ACTIVE',
      expiration_time: expect.stringMatching(ISO_MS),
      preview_info: { state: 'UNAVAILABLE' },
    });
    const expiresIn = Date.parse(model.expiration_time as string) - before;
    expect(expiresIn).toBeGreaterThan(290_000);
    expect(expiresIn).toBeLessThanOrEqual(300_000);

    expect((await alice.action(sessionId, 'keep-alive', { client_progress: 90 })).status).toBe(
      alice.ok('void'),
    );
    const completed = await alice.action(sessionId, 'complete');
    expect(completed.status).toBe(alice.ok('void'));
    expect(completed.body).toBeUndefined();

    const done = alice.value<Record<string, unknown>>(await alice.getSession(sessionId));
    expect(done).toMatchObject({
      state: 'DONE',
      client_progress: 90,
      library_item_content_version: '1',
    });
    expect(done).not.toHaveProperty('preview_info');

    // A session without files changes nothing on the item.
    const item = alice.value<Record<string, unknown>>(await alice.getItem(itemId));
    expect(item).toMatchObject({ content_version: '1', cached: false, size: 0 });

    expect((await alice.deleteSession(sessionId)).status).toBe(alice.ok('void'));
    expectError(style, await alice.getSession(sessionId), 'NOT_FOUND');
  });

  it('allows one ACTIVE session per item: a second one is resource_busy until the first ends', async () => {
    const { itemId, sessionId } = await newSession();
    const error = expectError(
      style,
      await alice.createSession({ library_item_id: itemId }),
      'RESOURCE_BUSY',
      'com.vmware.vdcs.cls-main.update_session_exists',
    );
    expect(error.messages[0]?.args).toEqual([itemId]);
    await alice.action(sessionId, 'cancel');
    expect((await alice.createSession({ library_item_id: itemId })).status).toBe(
      alice.ok('create'),
    );
  });

  it('a create racing the item delete never leaves an ACTIVE session on a deleted item', async () => {
    for (let round = 0; round < 15; round += 1) {
      const itemId = await newItem();
      const [created, deleted] = await Promise.all([
        alice.createSession({ library_item_id: itemId }),
        alice.deleteItem(itemId),
      ]);
      expect(deleted.status).toBe(alice.ok('void'));
      if (created.status !== alice.ok('create')) {
        expectError(style, created, 'NOT_FOUND');
        continue;
      }
      const session = await admin.getSession(alice.value<string>(created));
      if (session.status === 200)
        expect(alice.value<{ state: string }>(session).state).toBe('CANCELED');
      else expectError(style, session, 'NOT_FOUND');
    }
  });

  it('create with the same client_token returns the same session; a non-UUID token is invalid_argument', async () => {
    const itemId = await newItem();
    const token = randomUUID();
    const first = alice.value<string>(
      await alice.createSession({ library_item_id: itemId }, token),
    );
    const again = await alice.createSession({ library_item_id: itemId }, token);
    expect(again.status).toBe(alice.ok('create'));
    expect(alice.value<string>(again)).toBe(first);
    if (style === 'api') {
      expect(
        alice.value<string>(
          await alice.createSession({ library_item_id: itemId }, token, 'header'),
        ),
      ).toBe(first);
    }
    expectError(
      style,
      await alice.createSession({ library_item_id: itemId }, 'not-a-uuid'),
      'INVALID_ARGUMENT',
    );
    expect(alice.value<string[]>(await alice.listSessions(itemId))).toEqual([first]);
  });

  it('rejects bad create specs without creating anything', async () => {
    const itemId = await newItem();
    expectError(style, await alice.createSession({}), 'INVALID_ARGUMENT');
    expectError(
      style,
      await alice.createSession({ library_item_id: itemId, bogus: 1 }),
      'INVALID_REQUEST',
    );
    expectError(style, await alice.createSession({ library_item_id: 42 }), 'INVALID_REQUEST');
    expectError(style, await alice.createSession({ library_item_id: randomUUID() }), 'NOT_FOUND');
    expectError(
      style,
      await alice.createSession({
        library_item_id: itemId,
        warning_behavior: [{ type: 'NOPE', ignored: true }],
      }),
      'INVALID_ARGUMENT',
    );
    expect(alice.value<string[]>(await alice.listSessions(itemId))).toEqual([]);
    // Fields documented as "not used for create" are known: accepted and ignored.
    const created = await alice.createSession({
      library_item_id: itemId,
      state: 'DONE',
      client_progress: 50,
      library_item_content_version: '7',
    });
    const model = alice.value<Record<string, unknown>>(
      await alice.getSession(alice.value<string>(created)),
    );
    expect(model).toMatchObject({
      state: 'ACTIVE',
      client_progress: 0,
      library_item_content_version: '1',
    });
  });

  it('keep_alive only lets progress grow, caps it at 100 and accepts an empty body', async () => {
    const { sessionId } = await newSession();
    const progress = async () =>
      alice.value<{ client_progress: number }>(await alice.getSession(sessionId)).client_progress;
    expect((await alice.action(sessionId, 'keep-alive', { client_progress: 40 })).status).toBe(
      alice.ok('void'),
    );
    expect(await progress()).toBe(40);
    await alice.action(sessionId, 'keep-alive', { client_progress: 10 });
    expect(await progress()).toBe(40);
    await alice.action(sessionId, 'keep-alive', { client_progress: 250 });
    expect(await progress()).toBe(100);
    expect((await alice.action(sessionId, 'keep-alive')).status).toBe(alice.ok('void'));
    expect((await alice.action(sessionId, 'keep-alive', {})).status).toBe(alice.ok('void'));
    expectError(
      style,
      await alice.action(sessionId, 'keep-alive', { client_progress: 'lots' }),
      'INVALID_REQUEST',
    );
  });

  it('keep_alive moves expiration_time forward', async () => {
    const { sessionId } = await newSession();
    const expiry = async () =>
      Date.parse(
        alice.value<{ expiration_time: string }>(await alice.getSession(sessionId)).expiration_time,
      );
    const first = await expiry();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await alice.action(sessionId, 'keep-alive');
    expect(await expiry()).toBeGreaterThan(first);
  });

  it('update sets warning_behavior, which get then reports', async () => {
    const { sessionId } = await newSession();
    const warningBehavior = [{ type: 'SELF_SIGNED_CERTIFICATE', ignored: true }];
    expect(
      (await alice.updateSession(sessionId, { warning_behavior: warningBehavior })).status,
    ).toBe(alice.ok('void'));
    expect(alice.value<Record<string, unknown>>(await alice.getSession(sessionId))).toMatchObject({
      warning_behavior: warningBehavior,
    });
    expectError(
      style,
      await alice.updateSession(sessionId, { warning_behavior: 'all' }),
      'INVALID_REQUEST',
    );
  });

  it('fail moves to ERROR with the client message; complete then repeats the cause', async () => {
    const { sessionId } = await newSession();
    expect(
      (await alice.action(sessionId, 'fail', { client_error_message: 'disk full on client' }))
        .status,
    ).toBe(alice.ok('void'));
    const model = alice.value<{ state: string; error_message: { default_message: string } }>(
      await alice.getSession(sessionId),
    );
    expect(model.state).toBe('ERROR');
    expect(model.error_message.default_message).toContain('disk full on client');
    const error = expectError(
      style,
      await alice.action(sessionId, 'complete'),
      'NOT_ALLOWED_IN_CURRENT_STATE',
      'com.vmware.vdcs.cls-main.invalid_session_state',
    );
    expect(error.messages[0]?.args).toEqual([
      'complete',
      'ERROR',
      expect.stringContaining('disk full on client'),
    ]);
  });

  it('fail without client_error_message is invalid_argument and changes nothing', async () => {
    const { sessionId } = await newSession();
    expectError(style, await alice.action(sessionId, 'fail', {}), 'INVALID_ARGUMENT');
    expect(alice.value<{ state: string }>(await alice.getSession(sessionId)).state).toBe('ACTIVE');
  });

  it.each(['cancel', 'complete', 'fail'])(
    'after %s every state-changing operation is not_allowed_in_current_state and delete works',
    async (ending) => {
      const { sessionId } = await newSession();
      await alice.action(
        sessionId,
        ending,
        ending === 'fail' ? { client_error_message: 'x' } : undefined,
      );
      for (const action of ['keep-alive', 'complete', 'cancel']) {
        expectError(style, await alice.action(sessionId, action), 'NOT_ALLOWED_IN_CURRENT_STATE');
      }
      expectError(
        style,
        await alice.action(sessionId, 'fail', { client_error_message: 'again' }),
        'NOT_ALLOWED_IN_CURRENT_STATE',
      );
      expectError(
        style,
        await alice.updateSession(sessionId, { warning_behavior: [] }),
        'NOT_ALLOWED_IN_CURRENT_STATE',
      );
      expect((await alice.getSession(sessionId)).status).toBe(200);
      expect((await alice.deleteSession(sessionId)).status).toBe(alice.ok('void'));
      expectError(style, await alice.deleteSession(sessionId), 'NOT_FOUND');
    },
  );

  it('delete of an ACTIVE session is not_allowed_in_current_state', async () => {
    const { sessionId } = await newSession();
    expectError(style, await alice.deleteSession(sessionId), 'NOT_ALLOWED_IN_CURRENT_STATE');
    expect(alice.value<{ state: string }>(await alice.getSession(sessionId)).state).toBe('ACTIVE');
  });

  it('unknown ids are not_found and unknown actions operation_not_found', async () => {
    const { sessionId } = await newSession();
    expectError(
      style,
      await alice.getSession(randomUUID()),
      'NOT_FOUND',
      'com.vmware.vdcs.cls-main.update_session_not_found',
    );
    expectError(style, await alice.getSession('not-even-a-uuid'), 'NOT_FOUND');
    expectError(style, await alice.action(randomUUID(), 'complete'), 'NOT_FOUND');
    expectError(style, await alice.action(sessionId, 'explode'), 'OPERATION_NOT_FOUND');
  });

  it("sessions are visible only to their creator and admins; lists show the caller's own", async () => {
    const { itemId, sessionId } = await newSession();
    expectError(style, await bob.getSession(sessionId), 'NOT_FOUND');
    expectError(style, await bob.action(sessionId, 'cancel'), 'NOT_FOUND');
    expect(bob.value<string[]>(await bob.listSessions())).not.toContain(sessionId);
    expect(alice.value<string[]>(await alice.listSessions())).toContain(sessionId);
    expect(alice.value<string[]>(await alice.listSessions(itemId))).toEqual([sessionId]);
    expect((await admin.getSession(sessionId)).status).toBe(200);
    expectError(style, await alice.listSessions(randomUUID()), 'NOT_FOUND');
  });

  it('creating a session needs ContentLibrary.UpdateSession on the item (403 names it)', async () => {
    const itemId = await newItem();
    const error = expectError(
      style,
      await bob.createSession({ library_item_id: itemId }),
      'UNAUTHORIZED',
    );
    expect(error.messages[0]?.default_message).toContain('ContentLibrary.UpdateSession');
    expect(error.messages[0]?.default_message).toContain(itemId);
    expectError(style, await bob.listSessions(itemId), 'UNAUTHORIZED');
  });

  it('deleting the item cancels its ACTIVE session', async () => {
    const { itemId, sessionId } = await newSession();
    expect((await alice.deleteItem(itemId)).status).toBe(alice.ok('void'));
    expect(alice.value<{ state: string }>(await alice.getSession(sessionId)).state).toBe(
      'CANCELED',
    );
    expectError(style, await alice.getItem(itemId), 'NOT_FOUND');
  });

  it('malformed JSON and oversized bodies are invalid_request', async () => {
    const path =
      style === 'rest'
        ? '/rest/com/vmware/content/library/item/update-session'
        : '/api/content/library/item/update-session';
    expectError(
      style,
      await deployment.alice.request('POST', path, { rawBody: '{"create_spec": ' }),
      'INVALID_REQUEST',
    );
    const huge = JSON.stringify({ library_item_id: 'x'.repeat(1024 * 1024 + 10) });
    expectError(
      style,
      await deployment.alice.request('POST', path, { rawBody: huge }),
      'INVALID_REQUEST',
    );
  });
});
