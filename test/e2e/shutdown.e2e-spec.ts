import { randomBytes } from 'node:crypto';

import { ContentLibraryDriver, eventually, ServiceProcess, tricklePut, upload } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_shutdown');
});

afterAll(() => deployment?.stop());

interface FileInfo {
  status: string;
  bytes_transferred: number;
  upload_endpoint?: { uri: string };
}

describe('SIGTERM of an API with an upload in flight', () => {
  it('drains, cuts the upload near the end of the grace period, exits 0, and the upload resumes on another API', async () => {
    // Cut at max(grace - 5, grace / 2) = 3 s.
    const draining = await ServiceProcess.api({ ...deployment.env, SHUTDOWN_GRACE_SECONDS: '6' });
    const client = new ContentLibraryDriver('api', deployment.alice.withBaseUrl(draining.baseUrl));
    const { itemId: item } = await client.newLibraryItem({ name: 'x' });
    const session = client.value<string>(await client.createSession({ library_item_id: item }));
    // 64 KiB every 100 ms: about 10 s, far longer than the grace period.
    const bytes = randomBytes(6 * 1024 * 1024);
    const info = client.value<FileInfo>(
      await client.addFile(session, { name: 'disk.iso', source_type: 'PUSH', size: bytes.length }),
    );
    const uploading = tricklePut(info.upload_endpoint!.uri, bytes);
    await eventually(
      async () => client.value<FileInfo>(await client.getFile(session, 'disk.iso')),
      (file) => file.bytes_transferred > 0,
      { timeoutMs: 10_000, what: 'the upload under way' },
    );

    const stopping = Date.now();
    expect(await draining.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(6_000);
    expect(await uploading).toBe('cut');
    expect(draining.log).toContain('requests still running are cut now');

    const survivor = new ContentLibraryDriver('api', deployment.alice);
    const staged = await eventually(
      async () => survivor.value<FileInfo>(await survivor.getFile(session, 'disk.iso')),
      (file) => file.status === 'TRANSFERRING' && file.bytes_transferred > 0,
      { timeoutMs: 10_000, what: 'the cut upload recorded as in transfer' },
    );
    const offset = staged.bytes_transferred;
    expect(offset).toBeLessThan(bytes.length);
    const resumed = await upload(staged.upload_endpoint!.uri, bytes.subarray(offset), {
      headers: { 'content-range': `bytes ${offset}-${bytes.length - 1}/${bytes.length}` },
    });
    expect(resumed.status).toBe(200);
    expect((await survivor.action(session, 'complete')).status).toBe(204);
    expect(survivor.value<{ state: string }>(await survivor.getSession(session)).state).toBe(
      'DONE',
    );
  }, 60_000);
});
