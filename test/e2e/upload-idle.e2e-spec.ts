import { randomBytes } from 'node:crypto';

import { ContentLibraryDriver, eventually, stallingPut, upload } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_upload_idle', { UPLOAD_IDLE_TIMEOUT_SECONDS: '1' });
});

afterAll(() => deployment?.stop());

describe('UPLOAD_IDLE_TIMEOUT_SECONDS', () => {
  it('cuts a body that stops sending, keeps what came, and the file resumes from there', async () => {
    const alice = new ContentLibraryDriver('api', deployment.alice);
    const { itemId } = await alice.newLibraryItem({ name: 'idle' });
    const session = alice.value<string>(await alice.createSession({ library_item_id: itemId }));
    const bytes = randomBytes(256 * 1024);
    const file = alice.value<{ upload_endpoint: { uri: string } }>(
      await alice.addFile(session, { name: 'idle.bin', source_type: 'PUSH', size: bytes.length }),
    );
    const half = bytes.length / 2;

    expect(await stallingPut(file.upload_endpoint.uri, bytes.subarray(0, half), bytes.length)).toBe(
      'cut',
    );

    // The server records what it staged once it sees the connection gone: after the client does.
    const info = await eventually(
      async () =>
        alice.value<{ status: string; bytes_transferred: number }>(
          await alice.getFile(session, 'idle.bin'),
        ),
      (file) => file.bytes_transferred === half,
      { what: 'the cut body recorded' },
    );
    expect(info).toMatchObject({ status: 'TRANSFERRING', bytes_transferred: half });
    const resumed = await upload(file.upload_endpoint.uri, bytes.subarray(half), {
      headers: { 'content-range': `bytes ${half}-${bytes.length - 1}/${bytes.length}` },
    });
    expect(resumed.status).toBe(200);
    expect(alice.value<{ status: string }>(await alice.getFile(session, 'idle.bin')).status).toBe(
      'READY',
    );
  });
});
