import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Style } from '@cls/testing';
import { ContentLibraryDriver, eventually, expectError, upload } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_item_copy');
});

afterAll(() => deployment?.stop());

const DATASTORE = { type: 'DATASTORE', datastore_id: 'datastore-1' };
const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

interface ItemFile {
  readonly name: string;
  readonly size: number;
  readonly checksum_info?: { readonly checksum: string };
}

describe.each<Style>(['rest', 'api'])('item copy over /%s', (style) => {
  let alice: ContentLibraryDriver;

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
  });

  async function newLibrary(): Promise<string> {
    const created = await alice.createLibrary({
      name: `copy-${randomUUID()}`,
      storage_backings: [DATASTORE],
    });
    expect(created.status).toBe(alice.ok('create'));
    return alice.value<string>(created);
  }

  async function newItem(libraryId: string, name: string): Promise<string> {
    const created = await alice.createItem({ library_id: libraryId, name, type: 'iso' });
    expect(created.status).toBe(alice.ok('create'));
    return alice.value<string>(created);
  }

  /** An ACTIVE update session on the item with these files uploaded. */
  async function sessionWith(itemId: string, files: Record<string, Buffer>): Promise<string> {
    const sessionId = alice.value<string>(await alice.createSession({ library_item_id: itemId }));
    for (const [name, bytes] of Object.entries(files)) {
      const info = alice.value<{ upload_endpoint: { uri: string } }>(
        await alice.addFile(sessionId, { name, source_type: 'PUSH', size: bytes.length }),
      );
      expect((await upload(info.upload_endpoint.uri, bytes)).status).toBe(200);
    }
    return sessionId;
  }

  async function commit(itemId: string, files: Record<string, Buffer>): Promise<void> {
    const sessionId = await sessionWith(itemId, files);
    expect((await alice.action(sessionId, 'complete')).status).toBe(alice.ok('void'));
  }

  async function filesOf(itemId: string): Promise<[string, number, string | undefined][]> {
    const files = alice.value<ItemFile[]>(await alice.itemFiles(itemId));
    return files
      .map((file): [string, number, string | undefined] => [
        file.name,
        file.size,
        file.checksum_info?.checksum,
      ])
      .sort(([a], [b]) => a.localeCompare(b));
  }

  /** The bytes of an item's file, through a download session. */
  async function download(itemId: string, name: string): Promise<Buffer> {
    const sessionId = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: itemId }),
    );
    expect((await alice.prepareDownloadFile(sessionId, name)).status).toBe(alice.ok('read'));
    const file = await eventually(
      async () =>
        alice.value<{ status: string; download_endpoint?: { uri: string } }>(
          await alice.getDownloadFile(sessionId, name),
        ),
      (candidate) => candidate.status === 'PREPARED',
      { what: `${name} prepared` },
    );
    return Buffer.from(await (await fetch(file.download_endpoint!.uri)).arrayBuffer());
  }

  it('copies the committed files into a new item of another library, with a history of its own', async () => {
    const [sourceLibrary, targetLibrary] = [await newLibrary(), await newLibrary()];
    const sourceId = await newItem(sourceLibrary, 'photon.iso');
    const iso = randomBytes(200_000);
    const notes = randomBytes(1_000);
    await commit(sourceId, { 'photon.iso': iso, 'notes.txt': notes });

    const copied = await alice.copyItem(sourceId, { library_id: targetLibrary, name: 'copied' });
    expect(copied.status).toBe(alice.ok('create'));
    const copyId = alice.value<string>(copied);
    expect(copyId).not.toBe(sourceId);
    expect(alice.value(await alice.getItem(copyId))).toMatchObject({
      id: copyId,
      library_id: targetLibrary,
      name: 'copied',
      type: 'iso',
      content_version: '2',
      cached: true,
      size: iso.length + notes.length,
    });
    expect(await filesOf(copyId)).toEqual(await filesOf(sourceId));
    expect(alice.value<string[]>(await alice.listItems(targetLibrary))).toEqual([copyId]);

    // The copy's bytes are its own: the source's deletion and collection leave them.
    const [stored] = alice.value<{ storage_uris: string[] }[]>(
      await alice.itemStorage(copyId, 'photon.iso'),
    );
    const sourceFolder = dirname(fileURLToPath(stored!.storage_uris[0]!))
      .replace(`contentlib-${targetLibrary}`, `contentlib-${sourceLibrary}`)
      .replace(copyId, sourceId);
    expect(existsSync(sourceFolder)).toBe(true);
    expect((await alice.deleteItem(sourceId)).status).toBe(alice.ok('void'));
    await eventually(
      () => existsSync(sourceFolder),
      (exists) => !exists,
      { what: 'the deleted source collected' },
    );
    expect(sha1(await download(copyId, 'photon.iso'))).toBe(sha1(iso));
    expect(sha1(await download(copyId, 'notes.txt'))).toBe(sha1(notes));
  });

  it('copies only committed content while an update session on the source is ACTIVE', async () => {
    const library = await newLibrary();
    const sourceId = await newItem(library, 'base.iso');
    const committed = randomBytes(5_000);
    await commit(sourceId, { 'base.iso': committed });
    const sessionId = await sessionWith(sourceId, {
      'base.iso': randomBytes(6_000),
      'extra.bin': randomBytes(10),
    });

    const copyId = alice.value<string>(
      await alice.copyItem(sourceId, { library_id: library, name: 'snapshot.iso' }),
    );
    expect(await filesOf(copyId)).toEqual([['base.iso', 5_000, sha1(committed)]]);
    expect((await alice.action(sessionId, 'complete')).status).toBe(alice.ok('void'));
    expect(await filesOf(copyId)).toEqual([['base.iso', 5_000, sha1(committed)]]);
    expect(sha1(await download(copyId, 'base.iso'))).toBe(sha1(committed));
  });

  it('the same client token copies once; a name taken in the target is already_exists', async () => {
    const library = await newLibrary();
    const sourceId = await newItem(library, 'once.iso');
    await commit(sourceId, { 'once.iso': randomBytes(100) });
    const token = randomUUID();
    const first = alice.value<string>(
      await alice.copyItem(sourceId, { library_id: library, name: 'twice.iso' }, token),
    );
    const again = alice.value<string>(
      await alice.copyItem(sourceId, { library_id: library, name: 'twice.iso' }, token),
    );
    expect(again).toBe(first);
    expect(alice.value<string[]>(await alice.listItems(library)).sort()).toEqual(
      [sourceId, first].sort(),
    );
    // Without a name the copy takes the source's, which its own library already has.
    expectError(style, await alice.copyItem(sourceId, { library_id: library }), 'ALREADY_EXISTS');
  });

  it('needs read on the source and AddLibraryItem on the target library', async () => {
    const library = await newLibrary();
    const sourceId = await newItem(library, 'guarded.iso');
    const bob = alice.as(deployment.bob);
    const denied = expectError(
      style,
      await bob.copyItem(sourceId, { library_id: library, name: 'bob.iso' }),
      'UNAUTHORIZED',
    );
    expect(denied.messages[0]?.default_message).toContain('ContentLibrary.AddLibraryItem');
    expectError(
      style,
      await alice.copyItem(randomUUID(), { library_id: library, name: 'ghost.iso' }),
      'NOT_FOUND',
    );
    expectError(
      style,
      await alice.copyItem(sourceId, { library_id: randomUUID(), name: 'nowhere.iso' }),
      'NOT_FOUND',
    );
    expect(alice.value<string[]>(await alice.listItems(library))).toEqual([sourceId]);
  });
});
