import { randomUUID } from 'node:crypto';

import type { ServerSentEvent } from '@cls/testing';
import { ContentLibraryDriver, EventStreamClient, slowUpload } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

interface Change {
  type: string;
  state: string;
  actor: string;
}
interface Progress {
  bytes_transferred: number;
  files: {
    name: string;
    status: string;
    bytes_transferred: number;
    size?: number;
    bytes_per_second: number;
    eta_seconds?: number;
    stalled: boolean;
  }[];
}

let deployment: Deployment;
let alice: ContentLibraryDriver;

beforeAll(async () => {
  deployment = await startDeployment('e2e_live_progress');
  alice = new ContentLibraryDriver('api', deployment.alice);
}, 60_000);

afterAll(() => deployment?.stop());

const newItem = async () => (await alice.newLibraryItem()).itemId;

function watch(path: string, headers: Record<string, string> = {}): Promise<EventStreamClient> {
  return EventStreamClient.open(`${deployment.api.baseUrl}${path}`, {
    'vmware-api-session-id': deployment.alice.token!,
    ...headers,
  });
}

const change = (event: ServerSentEvent) => event.data as Change;
const progress = (event: ServerSentEvent) => event.data as Progress;

describe('live progress over Server-Sent Events', () => {
  it('a client sees TRANSFERRING progress with a rate, then DONE, and the stream ends', async () => {
    const session = alice.value<string>(
      await alice.createSession({ library_item_id: await newItem() }),
    );
    const total = 30 * 64 * 1024;
    const file = alice.value<{ upload_endpoint: { uri: string } }>(
      await alice.addFile(session, { name: 'disk.iso', source_type: 'PUSH', size: total }),
    );
    const stream = await watch(`/api/cls/update-sessions/${session}/events`);
    expect(stream.status).toBe(200);
    const uploading = slowUpload(file.upload_endpoint.uri, total, 3);

    const moving = await stream.next(
      (event) =>
        event.event === 'progress' &&
        progress(event).files.some(
          (entry) =>
            entry.status === 'TRANSFERRING' &&
            entry.bytes_transferred > 0 &&
            entry.bytes_transferred < total &&
            entry.bytes_per_second > 0,
        ),
      'TRANSFERRING progress with a rate',
    );
    const [entry] = progress(moving).files;
    expect(entry).toMatchObject({ name: 'disk.iso', size: total, stalled: false });
    expect(entry!.eta_seconds).toBeGreaterThan(0);
    expect(await uploading).toBe(200);
    expect((await alice.action(session, 'complete')).status).toBe(204);

    const done = await stream.next(
      (event) => event.event === 'change' && change(event).state === 'DONE',
      'the DONE change',
    );
    expect(change(done)).toMatchObject({ type: 'UpdateSessionCompleted', actor: 'alice' });
    await stream.ended;
    const changes = stream.events.filter((event) => event.event === 'change');
    expect(changes.map((event) => change(event).type)).toEqual([
      'UpdateSessionCreated',
      'UpdateSessionFileAdded',
      'UpdateSessionFileTransferStarted',
      'UpdateSessionFileReceived',
      'UpdateSessionCompleted',
    ]);
    expect(changes.map((event) => event.id)).toEqual(['1', '2', '3', '4', '5']);
    const seen = stream.events
      .filter((event) => event.event === 'progress')
      .map((event) => progress(event).bytes_transferred);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('resumes after Last-Event-ID: nothing missed, nothing repeated', async () => {
    const session = alice.value<string>(
      await alice.createSession({ library_item_id: await newItem() }),
    );
    await alice.action(session, 'keep-alive', { client_progress: 10 });
    await alice.action(session, 'keep-alive', { client_progress: 20 });
    const stream = await watch(`/api/cls/update-sessions/${session}/events`, {
      'last-event-id': '2',
    });
    await stream.next((event) => event.event === 'progress', 'first progress');
    await alice.action(session, 'cancel');
    await stream.ended;
    expect(
      stream.events
        .filter((event) => event.event === 'change')
        .map((event) => [event.id, change(event).type, change(event).state]),
    ).toEqual([
      ['3', 'UpdateSessionKeptAlive', 'ACTIVE'],
      ['4', 'UpdateSessionCanceled', 'CANCELED'],
    ]);
  });

  it('download sessions too: a keep-alive, then the cancel ends the stream', async () => {
    const session = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: await newItem() }),
    );
    const stream = await watch(`/api/cls/download-sessions/${session}/events`);
    await stream.next((event) => event.event === 'change', 'the creation');
    await alice.downloadAction(session, 'keep-alive', { progress: 40 });
    await stream.next(
      (event) => event.event === 'change' && change(event).type === 'DownloadSessionKeptAlive',
      'the keep-alive',
    );
    await alice.downloadAction(session, 'cancel');
    await stream.ended;
    expect(change(stream.events.at(-1)!)).toMatchObject({
      type: 'DownloadSessionCanceled',
      state: 'CANCELED',
    });
  });

  it('errors before the stream: unknown or foreign sessions 404, a bad Last-Event-ID 400', async () => {
    const session = alice.value<string>(
      await alice.createSession({ library_item_id: await newItem() }),
    );
    const foreign = await EventStreamClient.open(
      `${deployment.api.baseUrl}/api/cls/update-sessions/${session}/events`,
      { 'vmware-api-session-id': deployment.bob.token! },
    );
    expect(foreign.status).toBe(404);
    expect((await watch(`/api/cls/update-sessions/${randomUUID()}/events`)).status).toBe(404);
    expect(
      (await watch(`/api/cls/update-sessions/${session}/events`, { 'last-event-id': 'x' })).status,
    ).toBe(400);
    const unauthenticated = await fetch(
      `${deployment.api.baseUrl}/api/cls/update-sessions/${session}/events`,
    );
    expect(unauthenticated.status).toBe(401);
  });
});
