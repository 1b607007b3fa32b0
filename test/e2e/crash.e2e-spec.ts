import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import {
  ContentLibraryDriver,
  eventually,
  ovfDescriptor,
  ServiceProcess,
  upload,
} from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_crash');
}, 60_000);

afterAll(() => deployment?.stop());

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

interface FileInfo {
  status: string;
  bytes_transferred: number;
  upload_endpoint?: { uri: string };
}

/** An item whose content is `old.bin` = `bytes`, committed through a first session. */
async function itemWith(driver: ContentLibraryDriver, bytes: Buffer): Promise<string> {
  const library = driver.value<string>(
    await driver.createLibrary({
      name: `crash-${randomUUID()}`,
      storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }],
    }),
  );
  const itemId = driver.value<string>(
    await driver.createItem({ library_id: library, name: 'template' }),
  );
  const sessionId = driver.value<string>(await driver.createSession({ library_item_id: itemId }));
  const info = driver.value<FileInfo>(
    await driver.addFile(sessionId, { name: 'disk.vmdk', source_type: 'PUSH', size: bytes.length }),
  );
  expect((await upload(info.upload_endpoint!.uri, bytes)).status).toBe(200);
  expect((await driver.action(sessionId, 'complete')).status).toBe(204);
  return itemId;
}

async function itemContent(
  driver: ContentLibraryDriver,
  itemId: string,
): Promise<{ version: string; files: [string, string][] }> {
  const item = driver.value<{ content_version: string }>(await driver.getItem(itemId));
  const files = driver.value<{ name: string; checksum_info: { checksum: string } }[]>(
    await driver.itemFiles(itemId),
  );
  return {
    version: item.content_version,
    files: files.map((file) => [file.name, file.checksum_info.checksum]),
  };
}

/** The folder holding the item's stored files, found through item.Storage (§3.6). */
async function itemFolder(driver: ContentLibraryDriver, itemId: string): Promise<string> {
  const [storage] = driver.value<{ storage_uris: string[] }[]>(
    await driver.itemStorage(itemId, 'disk.vmdk'),
  );
  return dirname(fileURLToPath(storage!.storage_uris[0]!));
}

/** Adds each file to the session as PUSH and uploads its bytes, in order. */
async function pushFiles(
  driver: ContentLibraryDriver,
  sessionId: string,
  files: readonly (readonly [string, Buffer])[],
): Promise<void> {
  for (const [name, bytes] of files) {
    const info = driver.value<FileInfo>(
      await driver.addFile(sessionId, { name, source_type: 'PUSH', size: bytes.length }),
    );
    expect((await upload(info.upload_endpoint!.uri, bytes)).status).toBe(200);
  }
}

/** Triggers the item's garbage collection: a download session's end asks for one. */
async function collectGarbage(driver: ContentLibraryDriver, itemId: string): Promise<void> {
  const id = driver.value<string>(await driver.createDownloadSession({ library_item_id: itemId }));
  expect((await driver.deleteDownloadSession(id)).status).toBe(204);
}

/** Streams `bytes` slowly, and calls `midway` once `killAfter` bytes are out. */
function slowPut(
  uri: string,
  bytes: Buffer,
  killAfter: number,
  midway: () => Promise<void>,
): Promise<void> {
  const url = new URL(uri);
  return new Promise((resolve) => {
    const outgoing = request({
      method: 'PUT',
      hostname: url.hostname,
      port: url.port,
      path: url.pathname,
      headers: { 'content-length': String(bytes.length) },
    });
    outgoing.on('error', () => resolve());
    outgoing.on('response', () => resolve());
    void (async () => {
      for (let sent = 0; sent < bytes.length; sent += 64 * 1024) {
        if (!outgoing.write(bytes.subarray(sent, sent + 64 * 1024)))
          await new Promise((drained) => outgoing.once('drain', drained));
        if (sent >= killAfter) {
          await sleep(300);
          await midway();
          return;
        }
        await sleep(5);
      }
    })();
  });
}

describe('crashes lose nothing acknowledged and apply nothing half-way', () => {
  it('SIGKILL of the API during a PUT: the item keeps its old content and the client resumes', async () => {
    const api = await ServiceProcess.api(deployment.env);
    const driver = new ContentLibraryDriver('api', deployment.alice.withBaseUrl(api.baseUrl));
    const old = randomBytes(10_000);
    const itemId = await itemWith(driver, old);
    const sessionId = driver.value<string>(await driver.createSession({ library_item_id: itemId }));
    const replacement = randomBytes(4 * 1024 * 1024);
    const info = driver.value<FileInfo>(
      await driver.addFile(sessionId, {
        name: 'disk.vmdk',
        source_type: 'PUSH',
        size: replacement.length,
      }),
    );

    await slowPut(info.upload_endpoint!.uri, replacement, 1024 * 1024, async () => {
      await api.stop('SIGKILL');
    });

    const restarted = await ServiceProcess.api(deployment.env);
    try {
      const after = new ContentLibraryDriver(
        'api',
        deployment.alice.withBaseUrl(restarted.baseUrl),
      );
      expect(await itemContent(after, itemId)).toEqual({
        version: '2',
        files: [['disk.vmdk', sha1(old)]],
      });
      const file = after.value<FileInfo>(await after.getFile(sessionId, 'disk.vmdk'));
      expect(file.status).toBe('TRANSFERRING');
      const offset = file.bytes_transferred;
      expect(offset).toBeGreaterThanOrEqual(1024 * 1024);
      const resumed = await upload(file.upload_endpoint!.uri, replacement.subarray(offset), {
        headers: {
          'content-range': `bytes ${offset}-${replacement.length - 1}/${replacement.length}`,
        },
      });
      expect(resumed.status).toBe(200);
      expect((await after.action(sessionId, 'complete')).status).toBe(204);
      expect(await itemContent(after, itemId)).toEqual({
        version: '3',
        files: [['disk.vmdk', sha1(replacement)]],
      });
    } finally {
      await restarted.stop();
    }
  });

  it('SIGKILL of the API during complete (files moved, nothing committed): old content, and complete succeeds after restart', async () => {
    const crashing = await ServiceProcess.api({
      ...deployment.env,
      CLS_FAILPOINTS: 'complete:files-moved',
    });
    const driver = new ContentLibraryDriver('api', deployment.alice.withBaseUrl(crashing.baseUrl));
    const old = randomBytes(5_000);
    // The first complete would hit the failpoint too, so the item is prepared through the main API.
    const itemId = await itemWith(new ContentLibraryDriver('api', deployment.alice), old);
    const sessionId = driver.value<string>(await driver.createSession({ library_item_id: itemId }));
    const replacement = randomBytes(20_000);
    const extra = randomBytes(3_000);
    await pushFiles(driver, sessionId, [
      ['disk.vmdk', replacement],
      ['extra.nvram', extra],
    ]);
    await expect(driver.action(sessionId, 'complete')).rejects.toThrow();
    expect(await crashing.stop()).toBeNull();

    const after = new ContentLibraryDriver('api', deployment.alice);
    expect(await itemContent(after, itemId)).toEqual({
      version: '2',
      files: [['disk.vmdk', sha1(old)]],
    });
    expect(after.value<{ state: string }>(await after.getSession(sessionId)).state).toBe('ACTIVE');
    // The moved files are referenced by nothing yet, but the garbage collector must keep them
    // for the ACTIVE session: run it (a download session's end triggers it) and watch it remove
    // a genuine stray file beside them.
    const folder = await itemFolder(after, itemId);
    expect(await readdir(folder)).toHaveLength(3);
    const stray = join(folder, `disk_${randomUUID()}.vmdk`);
    writeFileSync(stray, 'leftover');
    await collectGarbage(after, itemId);
    await eventually(
      () => existsSync(stray),
      (present) => !present,
      { what: 'stray file collected' },
    );
    expect(await readdir(folder)).toHaveLength(3);
    expect((await after.action(sessionId, 'complete')).status).toBe(204);
    expect(await itemContent(after, itemId)).toEqual({
      version: '3',
      files: [
        ['disk.vmdk', sha1(replacement)],
        ['extra.nvram', sha1(extra)],
      ],
    });
  });

  it("SIGKILL during an OVF package's complete (files moved): after restart the package is judged from where its files are and commits", async () => {
    const crashing = await ServiceProcess.api({
      ...deployment.env,
      CLS_FAILPOINTS: 'complete:files-moved',
    });
    const driver = new ContentLibraryDriver('api', deployment.alice.withBaseUrl(crashing.baseUrl));
    const { itemId } = await driver.newLibraryItem({ name: 'vm', type: 'ovf' });
    const sessionId = driver.value<string>(await driver.createSession({ library_item_id: itemId }));
    const disk = randomBytes(30_000);
    const descriptor = ovfDescriptor(['disk1.vmdk']);
    // SHA-512 is no digest an upload keeps: the adapter reads the disk's bytes to check it.
    const sha512 = (bytes: Buffer) => createHash('sha512').update(bytes).digest('hex');
    const manifest = Buffer.from(
      `SHA512(vm.ovf)= ${sha512(descriptor)}\nSHA512(disk1.vmdk)= ${sha512(disk)}\n`,
    );
    // The manifest comes before the descriptor (DSP0243).
    await pushFiles(driver, sessionId, [
      ['vm.mf', manifest],
      ['vm.ovf', descriptor],
      ['disk1.vmdk', disk],
    ]);
    await expect(driver.action(sessionId, 'complete')).rejects.toThrow();
    expect(await crashing.stop()).toBeNull();

    const after = new ContentLibraryDriver('api', deployment.alice);
    expect(after.value<{ state: string }>(await after.getSession(sessionId)).state).toBe('ACTIVE');
    expect((await after.action(sessionId, 'complete')).status).toBe(204);
    expect((await itemContent(after, itemId)).files.sort()).toEqual([
      ['disk1.vmdk', sha1(disk)],
      ['vm.ovf', sha1(descriptor)],
    ]);
  });

  it('SIGKILL during complete, then cancel: the files it moved into storage are collected', async () => {
    const crashing = await ServiceProcess.api({
      ...deployment.env,
      CLS_FAILPOINTS: 'complete:files-moved',
    });
    const driver = new ContentLibraryDriver('api', deployment.alice.withBaseUrl(crashing.baseUrl));
    const old = randomBytes(2_000);
    const itemId = await itemWith(new ContentLibraryDriver('api', deployment.alice), old);
    const sessionId = driver.value<string>(await driver.createSession({ library_item_id: itemId }));
    const info = driver.value<FileInfo>(
      await driver.addFile(sessionId, { name: 'disk.vmdk', source_type: 'PUSH', size: 4_000 }),
    );
    expect((await upload(info.upload_endpoint!.uri, randomBytes(4_000))).status).toBe(200);
    await expect(driver.action(sessionId, 'complete')).rejects.toThrow();
    expect(await crashing.stop()).toBeNull();

    const after = new ContentLibraryDriver('api', deployment.alice);
    const folder = await itemFolder(after, itemId);
    expect(await readdir(folder)).toHaveLength(2);
    expect((await after.action(sessionId, 'cancel')).status).toBe(204);
    await eventually(
      () => readdir(folder),
      (names) => names.length === 1,
      { what: 'moved but uncommitted file collected' },
    );
    const [storage] = after.value<{ storage_uris: string[] }[]>(
      await after.itemStorage(itemId, 'disk.vmdk'),
    );
    expect(readFileSync(fileURLToPath(storage!.storage_uris[0]!)).equals(old)).toBe(true);
  });
});
