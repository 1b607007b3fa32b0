import { createHash, randomBytes } from 'node:crypto';

import { buffer } from 'node:stream/consumers';

import { pack } from 'tar-stream';

import type { Style } from '@cls/testing';
import {
  ContentLibraryDriver,
  eventually,
  hasStagedBytes,
  ovfDescriptor,
  upload,
} from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_ovf');
}, 60_000);

afterAll(() => deployment?.stop());

const disks = { 'disk1.vmdk': randomBytes(70_000), 'disk2.vmdk': randomBytes(50_000) };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** An OVA: the descriptor first (DSP0243), then the disks, as a tar stream collected in memory. */
async function ova(descriptorBytes: Buffer): Promise<Buffer> {
  const archive = pack();
  archive.entry({ name: 'vm.ovf' }, descriptorBytes);
  for (const [name, bytes] of Object.entries(disks)) archive.entry({ name }, bytes);
  archive.finalize();
  return buffer(archive);
}

interface Validation {
  has_errors: boolean;
  missing_files: string[];
  invalid_files: { name: string; error_message: { default_message: string } }[];
}

describe.each<Style>(['rest', 'api'])('OVF items over /%s (contract §8.6)', (style) => {
  let alice: ContentLibraryDriver;

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
  });

  async function ovfSession(): Promise<{ item: string; session: string }> {
    const { itemId: item } = await alice.newLibraryItem({ name: 'vm', type: 'ovf' });
    const session = alice.value<string>(await alice.createSession({ library_item_id: item }));
    return { item, session };
  }

  async function push(session: string, name: string, bytes: Buffer): Promise<void> {
    const added = await alice.addFile(session, { name, source_type: 'PUSH', size: bytes.length });
    expect(added.status).toBe(alice.ok('create'));
    const uri = alice.value<{ upload_endpoint: { uri: string } }>(added).upload_endpoint.uri;
    expect((await upload(uri, bytes)).status).toBe(200);
  }

  const validation = async (session: string) =>
    alice.value<Validation>(await alice.validate(session));
  const itemFileNames = async (item: string) =>
    alice
      .value<{ name: string }[]>(await alice.itemFiles(item))
      .map((file) => file.name)
      .sort();

  it('lists a referenced disk that was never added as missing and refuses complete until it is', async () => {
    const { item, session } = await ovfSession();
    await push(session, 'vm.ovf', ovfDescriptor(Object.keys(disks)));
    await push(session, 'disk1.vmdk', disks['disk1.vmdk']);
    expect(await validation(session)).toEqual({
      has_errors: true,
      missing_files: ['disk2.vmdk'],
      invalid_files: [],
    });
    const refused = await alice.action(session, 'complete');
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('session_has_missing_or_invalid_files');
    expect(alice.value<{ state: string }>(await alice.getSession(session)).state).toBe('ACTIVE');

    await push(session, 'disk2.vmdk', disks['disk2.vmdk']);
    expect((await validation(session)).has_errors).toBe(false);
    expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));
    expect(await itemFileNames(item)).toEqual(['disk1.vmdk', 'disk2.vmdk', 'vm.ovf']);
  });

  it('checks the manifest: a wrong digest makes the disk invalid; the manifest is not stored', async () => {
    const { item, session } = await ovfSession();
    const manifest = [
      `SHA256(disk1.vmdk)= ${'0'.repeat(64)}`,
      `SHA2-256(disk2.vmdk) = ${sha256(disks['disk2.vmdk'])}`,
    ].join('\r\n');
    await push(session, 'vm.mf', Buffer.from(manifest));
    await push(session, 'vm.ovf', ovfDescriptor(Object.keys(disks)));
    for (const [name, bytes] of Object.entries(disks)) await push(session, name, bytes);
    const result = await validation(session);
    expect(result.missing_files).toEqual([]);
    expect(result.invalid_files.map((file) => file.name)).toEqual(['disk1.vmdk']);
    expect(result.invalid_files[0]?.error_message.default_message).toContain(
      sha256(disks['disk1.vmdk']),
    );
    expect((await alice.action(session, 'complete')).status).toBe(400);

    // Fixed by adding the right manifest? It must come before the descriptor: refused.
    const late = await alice.addFile(session, { name: 'vm.mf', source_type: 'PUSH' });
    expect(late.status).toBe(400);
    expect(
      alice.value<{ keep_in_storage: boolean }>(await alice.getFile(session, 'vm.mf'))
        .keep_in_storage,
    ).toBe(false);
    expect(await itemFileNames(item)).toEqual([]);
  });

  it('refuses a manifest too large to be one, and a manifest that lists a file the item lacks', async () => {
    const lines = Object.entries(disks).map(([name, bytes]) => `SHA256(${name})= ${sha256(bytes)}`);
    async function packageWith(manifest: string): Promise<{ session: string; result: Validation }> {
      const { session } = await ovfSession();
      await push(session, 'vm.mf', Buffer.from(manifest));
      await push(session, 'vm.ovf', ovfDescriptor(Object.keys(disks)));
      for (const [name, bytes] of Object.entries(disks)) await push(session, name, bytes);
      return { session, result: await validation(session) };
    }

    // Right digests, padded past 1 MiB: never read, so never trusted.
    const oversized = await packageWith(`${lines.join('\n')}${'\n'.repeat(1024 * 1024)}`);
    expect(oversized.result.missing_files).toEqual([]);
    expect(oversized.result.invalid_files.map((file) => file.name)).toEqual(['vm.mf']);
    expect(oversized.result.invalid_files[0]?.error_message.default_message).toContain(
      'larger than 1048576 bytes',
    );
    expect((await alice.action(oversized.session, 'complete')).status).toBe(400);

    const ghost = await packageWith([...lines, `SHA256(ghost.vmdk)= ${'a'.repeat(64)}`].join('\n'));
    expect(ghost.result).toMatchObject({ has_errors: true, missing_files: ['ghost.vmdk'] });
    expect((await alice.action(ghost.session, 'complete')).status).toBe(400);
  });

  it('stores a valid package without its manifest', async () => {
    const { item, session } = await ovfSession();
    const manifest = Object.entries(disks)
      .map(([name, bytes]) => `SHA256(${name})= ${sha256(bytes)}`)
      .join('\n');
    await push(session, 'vm.mf', Buffer.from(manifest));
    await push(session, 'vm.ovf', ovfDescriptor(Object.keys(disks)));
    for (const [name, bytes] of Object.entries(disks)) await push(session, name, bytes);
    expect((await validation(session)).has_errors).toBe(false);
    expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));
    expect(await itemFileNames(item)).toEqual(['disk1.vmdk', 'disk2.vmdk', 'vm.ovf']);
  });

  it('unpacks an uploaded .ova into its files', async () => {
    const { item, session } = await ovfSession();
    await push(session, 'vm.ova', await ova(ovfDescriptor(Object.keys(disks))));
    expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));
    await eventually(
      async () => alice.value<{ state: string }>(await alice.getSession(session)).state,
      (state) => state !== 'ACTIVE',
      { what: 'OVA session finished' },
    );
    expect(alice.value<{ state: string }>(await alice.getSession(session)).state).toBe('DONE');
    const files = alice.value<{ name: string; size: number }[]>(await alice.itemFiles(item));
    expect(files.map((file) => [file.name, file.size]).sort()).toEqual([
      ['disk1.vmdk', disks['disk1.vmdk'].length],
      ['disk2.vmdk', disks['disk2.vmdk'].length],
      ['vm.ovf', ovfDescriptor(Object.keys(disks)).length],
    ]);
  });

  it('an OVA that does not start with its descriptor fails its file and session, and its staged bytes go', async () => {
    const { session } = await ovfSession();
    const archive = pack();
    archive.entry({ name: 'disk1.vmdk' }, disks['disk1.vmdk']);
    archive.finalize();
    await push(session, 'vm.ova', await buffer(archive));

    const file = await eventually(
      async () =>
        alice.value<{ status: string; error_message?: { id: string; default_message: string } }>(
          await alice.getFile(session, 'vm.ova'),
        ),
      (info) => info.status === 'ERROR',
      { what: 'the OVA failed' },
    );
    expect(file.error_message).toMatchObject({
      id: 'com.vmware.vdcs.cls-main.ova_invalid',
      default_message: expect.stringContaining('the OVF descriptor must come first'),
    });
    expect(alice.value<{ state: string }>(await alice.getSession(session)).state).toBe('ERROR');
    await eventually(
      () => hasStagedBytes(deployment.env.STORAGE_ROOT!, session),
      (staged) => !staged,
      { what: 'the staged bytes discarded' },
    );
  });

  it('refuses a hostile descriptor (entity expansion) as invalid, without hanging', async () => {
    const { session } = await ovfSession();
    const bomb = Buffer.from(`<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">&lol2;</Envelope>`);
    await push(session, 'vm.ovf', bomb);
    const result = await validation(session);
    expect(result.invalid_files.map((file) => file.name)).toEqual(['vm.ovf']);
    expect((await alice.action(session, 'complete')).status).toBe(400);
  });
});
