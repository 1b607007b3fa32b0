import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { SourceServer } from '@cls/testing';
import { ContentLibraryDriver, eventually, startSourceServer, upload } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

const STORAGE_BYTES = 3 * 1024 * 1024;

/** A file system of its own for the storage, small enough to fill: a tmpfs, which needs root. */
function smallFileSystem(): string | undefined {
  const root = mkdtempSync(join(tmpdir(), 'cls-disk-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${STORAGE_BYTES}`, 'tmpfs', root], {
      stdio: 'ignore',
    });
    return root;
  } catch {
    rmSync(root, { recursive: true, force: true });
    return undefined;
  }
}

const storage = smallFileSystem();
let deployment: Deployment;
let source: SourceServer;

beforeAll(async () => {
  if (!storage) return;
  source = await startSourceServer({ size: 2 * STORAGE_BYTES });
  deployment = await startDeployment('e2e_disk_full', {
    STORAGE_ROOT: storage,
    PULL_ALLOWED_NETWORKS: '127.0.0.0/8',
  });
});

afterAll(async () => {
  await Promise.all([deployment?.stop(), source?.close()]);
  if (storage) {
    execFileSync('umount', [storage]);
    rmSync(storage, { recursive: true, force: true });
  }
});

const freeBytes = (path: string) => {
  const stats = statfsSync(path);
  return stats.bavail * stats.bsize;
};

if (!storage) {
  it.skip('disk full (needs root to mount a small tmpfs; skipped here)', () => undefined);
} else {
  describe('storage full during an upload or a pull', () => {
    it('answers 507 naming the cause, fails the file and frees its bytes at once; others upload after', async () => {
      const alice = new ContentLibraryDriver('api', deployment.alice);
      const freeBefore = freeBytes(storage);
      const { itemId } = await alice.newLibraryItem({ name: 'too-big' });
      const session = alice.value<string>(await alice.createSession({ library_item_id: itemId }));
      const bytes = randomBytes(2 * STORAGE_BYTES);
      const file = alice.value<{ upload_endpoint: { uri: string } }>(
        await alice.addFile(session, { name: 'big.iso', source_type: 'PUSH', size: bytes.length }),
      );

      const answer = await upload(file.upload_endpoint.uri, bytes);

      expect(answer.status).toBe(507);
      expect(JSON.parse(answer.body)).toMatchObject({
        error_type: 'UNABLE_TO_ALLOCATE_RESOURCE',
        messages: [expect.objectContaining({ id: 'com.vmware.vdcs.cls-main.storage_full' })],
      });
      const info = alice.value<{ status: string; error_message: { default_message: string } }>(
        await alice.getFile(session, 'big.iso'),
      );
      expect(info.status).toBe('ERROR');
      expect(info.error_message.default_message).toContain('storage is full');
      expect(alice.value<{ state: string }>(await alice.getSession(session)).state).toBe('ERROR');
      expect(freeBytes(storage)).toBeGreaterThanOrEqual(freeBefore - 64 * 1024);

      const next = alice.value<string>(await alice.createSession({ library_item_id: itemId }));
      const small = randomBytes(64 * 1024);
      const smallFile = alice.value<{ upload_endpoint: { uri: string } }>(
        await alice.addFile(next, { name: 'small.iso', source_type: 'PUSH', size: small.length }),
      );
      expect((await upload(smallFile.upload_endpoint.uri, small)).status).toBe(200);
      expect((await alice.action(next, 'complete')).status).toBe(alice.ok('void'));
    });

    it('a pull that fills the storage fails its file at once, naming the cause, and frees its bytes', async () => {
      const alice = new ContentLibraryDriver('api', deployment.alice);
      const freeBefore = freeBytes(storage);
      const { itemId } = await alice.newLibraryItem({ name: 'too-big-pull' });
      const session = alice.value<string>(await alice.createSession({ library_item_id: itemId }));
      expect(
        (
          await alice.addFile(session, {
            name: 'big.iso',
            source_type: 'PULL',
            source_endpoint: { uri: `${source.baseUrl}/file.bin` },
          })
        ).status,
      ).toBe(alice.ok('create'));

      const info = await eventually(
        async () =>
          alice.value<{ status: string; error_message?: { id: string } }>(
            await alice.getFile(session, 'big.iso'),
          ),
        (file) => file.status === 'ERROR',
        { what: 'the pull failed', timeoutMs: 20_000 },
      );
      expect(info.error_message?.id).toBe('com.vmware.vdcs.cls-main.storage_full');
      expect(alice.value<{ state: string }>(await alice.getSession(session)).state).toBe('ERROR');
      await eventually(
        () => freeBytes(storage),
        (free) => free >= freeBefore - 64 * 1024,
        { what: 'the staged bytes freed' },
      );
    });
  });
}
