import { randomBytes, randomUUID } from 'node:crypto';

import { ContentLibraryDriver, eventually, expectError, HttpClient, upload } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

interface HistoryEvent {
  position: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  type: string;
  time: string;
  actor: string;
  correlation_id: string;
  causation_id: string;
  command: string;
  data: Record<string, unknown>;
}

let deployment: Deployment;
let alice: ContentLibraryDriver;
/** An auditor: `Cls.Audit` and nothing else. */
let carol: HttpClient;

beforeAll(async () => {
  deployment = await startDeployment('e2e_history');
  alice = new ContentLibraryDriver('api', deployment.alice);
  const created = await deployment.admin.request('POST', '/api/cls/users', {
    body: { name: 'carol', password: 'carol-password', grants: [{ privilege: 'Cls.Audit' }] },
  });
  expect(created.status).toBe(201);
  carol = await new HttpClient(deployment.api.baseUrl).login('carol', 'carol-password');
}, 60_000);

afterAll(() => deployment?.stop());

async function newItem(): Promise<{ library: string; item: string }> {
  const { libraryId, itemId } = await alice.newLibraryItem();
  return { library: libraryId, item: itemId };
}

async function history(path: string): Promise<HistoryEvent[]> {
  const result = await carol.request<{ events: HistoryEvent[] }>('GET', path);
  expect(result.status).toBe(200);
  return result.body.events;
}

async function audit(query: string): Promise<{ events: HistoryEvent[]; next: string }> {
  const result = await carol.request<{ events: HistoryEvent[]; next: string }>(
    'GET',
    `/api/cls/events?${query}`,
  );
  expect(result.status).toBe(200);
  return result.body;
}

/**
 * The audit query once it shows `count` events: an event is listed when every older transaction
 * of the cluster has ended (other suites write to the same Postgres).
 */
function auditShowing(query: string, count: number) {
  return eventually(
    () => audit(query),
    (page) => page.events.length >= count,
    { what: `${count} events for ${query}` },
  );
}

describe('session history', () => {
  it('an update session driven through every operation: one event per change, each with its actor', async () => {
    const { item } = await newItem();
    const requestId = `audit-${randomUUID()}`;
    const created = await deployment.alice.request<string>(
      'POST',
      '/api/content/library/item/update-session',
      { body: { library_item_id: item }, headers: { 'x-request-id': requestId } },
    );
    const session = created.body;
    await alice.updateSession(session, {
      warning_behavior: [{ type: 'SELF_SIGNED_CERTIFICATE', ignored: true }],
    });
    const bytes = randomBytes(1_000);
    const file = alice.value<{ upload_endpoint: { uri: string } }>(
      await alice.addFile(session, { name: 'a.iso', source_type: 'PUSH', size: bytes.length }),
    );
    await alice.addFile(session, { name: 'b.iso', source_type: 'PUSH', size: 10 });
    await alice.removeFile(session, 'b.iso');
    expect((await upload(file.upload_endpoint.uri, bytes)).status).toBe(200);
    await alice.action(session, 'keep-alive', { client_progress: 50 });
    expect((await alice.action(session, 'complete')).status).toBe(204);

    const events = await history(`/api/cls/update-sessions/${session}/history`);
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ['UpdateSessionCreated', 'alice'],
      ['UpdateSessionWarningBehaviorUpdated', 'alice'],
      ['UpdateSessionFileAdded', 'alice'],
      ['UpdateSessionFileAdded', 'alice'],
      ['UpdateSessionFileRemoved', 'alice'],
      ['UpdateSessionFileTransferStarted', 'data-plane:alice'],
      ['UpdateSessionFileReceived', 'data-plane:alice'],
      ['UpdateSessionKeptAlive', 'alice'],
      ['UpdateSessionCompleted', 'alice'],
    ]);
    expect(events.map((event) => event.stream_version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(events[0]).toMatchObject({
      stream_id: `update_session-${session}`,
      stream_type: 'update_session',
      correlation_id: requestId,
      command: 'CreateUpdateSession',
      data: { sessionId: session, libraryItemId: item, owner: 'alice' },
    });
    // One command per event, except the PUT: its start and its end answer the same request.
    expect(new Set(events.map((event) => event.causation_id)).size).toBe(events.length - 1);
    for (const event of events) expect(Date.parse(event.time)).not.toBeNaN();
  });

  it('a download session: create, keep-alive, prepare, cancel, delete', async () => {
    const { item } = await newItem();
    const session = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: item }),
    );
    await alice.downloadAction(session, 'keep-alive', { progress: 10 });
    await alice.downloadAction(session, 'cancel');
    await alice.deleteDownloadSession(session);
    const events = await history(`/api/cls/download-sessions/${session}/history`);
    expect(events.map((event) => event.type)).toEqual([
      'DownloadSessionCreated',
      'DownloadSessionKeptAlive',
      'DownloadSessionCanceled',
      'DownloadSessionDeleted',
    ]);
    // Deleted: the view is gone, the history is not.
    expect((await alice.getDownloadSession(session)).status).toBe(404);
  });

  it('needs Cls.Audit; unknown sessions are not_found', async () => {
    const { item } = await newItem();
    const session = alice.value<string>(await alice.createSession({ library_item_id: item }));
    const denied = await deployment.alice.request(
      'GET',
      `/api/cls/update-sessions/${session}/history`,
    );
    expect(denied.status).toBe(403);
    for (const id of [randomUUID(), 'not-a-uuid']) {
      expect((await carol.request('GET', `/api/cls/update-sessions/${id}/history`)).status).toBe(
        404,
      );
    }
    // An update session's id is not a download session's.
    expect(
      (await carol.request('GET', `/api/cls/download-sessions/${session}/history`)).status,
    ).toBe(404);
  });
});

describe('the audit query', () => {
  it('by item: the item and its sessions, in commit order, paged without gaps', async () => {
    const { library, item } = await newItem();
    const sessions = [];
    for (let index = 0; index < 3; index += 1) {
      const session = alice.value<string>(await alice.createSession({ library_item_id: item }));
      await alice.action(session, 'cancel');
      sessions.push(session);
    }
    const all = await auditShowing(`library_item_id=${item}&limit=1000`, 7);
    expect(all.events.map((event) => event.type)).toEqual([
      'LibraryItemCreated',
      ...sessions.flatMap(() => ['UpdateSessionCreated', 'UpdateSessionCanceled']),
    ]);
    const paged: HistoryEvent[] = [];
    let after = '';
    for (;;) {
      const page = await audit(`library_item_id=${item}&limit=2${after}`);
      paged.push(...page.events);
      if (page.events.length < 2) break;
      after = `&after=${page.next}`;
    }
    expect(paged).toEqual(all.events);

    const byLibrary = await auditShowing(`library_id=${library}`, 8);
    expect(byLibrary.events.map((event) => event.type)).toEqual([
      'LocalLibraryCreated',
      ...all.events.map((event) => event.type),
    ]);
    const canceled = await audit(`library_item_id=${item}&event_type=UpdateSessionCanceled`);
    expect(canceled.events.map((event) => event.stream_id)).toEqual(
      sessions.map((session) => `update_session-${session}`),
    );
    const first = all.events[0]!;
    const window = await audit(
      `library_item_id=${item}&from=${first.time}&to=${encodeURIComponent(all.events[1]!.time)}`,
    );
    expect(window.events.map((event) => event.position)).toContain(first.position);
    expect(window.events.map((event) => event.position)).not.toContain(all.events.at(-1)!.position);
  });

  it('by user, and an injection attempt is only a value', async () => {
    const { item } = await newItem();
    const byAlice = await auditShowing(`user=alice&library_item_id=${item}`, 1);
    expect(byAlice.events.map((event) => event.actor)).toEqual(['alice']);
    const injected = await audit(`user=${encodeURIComponent("alice' OR '1'='1")}`);
    expect(injected.events).toEqual([]);
  });

  it('bad input: clear errors, no 5xx', async () => {
    const cases: [string, number][] = [
      ['limit=5000', 400],
      ['limit=0', 400],
      ['limit=ten', 400],
      ['after=12', 400],
      ['after=1-2;DROP TABLE events', 400],
      ['from=yesterday', 400],
      ['from=2026-11-23T10:00:00Z&to=2026-11-22T10:00:00Z', 400],
      ['event_type=NoSuchEvent', 400],
      ['library_item_id=1', 400],
      ['colour=blue', 400],
      [`library_item_id=${randomUUID()}`, 404],
      [`library_id=${randomUUID()}`, 404],
    ];
    for (const [query, status] of cases) {
      const result = await carol.request('GET', `/api/cls/events?${query}`);
      expect({ query, status: result.status }).toEqual({ query, status });
    }
    expectError('api', await deployment.alice.request('GET', '/api/cls/events'), 'UNAUTHORIZED');
  });
});
