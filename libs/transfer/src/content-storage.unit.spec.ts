import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from '@cls/config';

import { ContentStorage } from './content-storage';

let root: string;
let storage: ContentStorage;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cls-storage-'));
  storage = new ContentStorage(loadConfig({ STORAGE_ROOT: root }));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function stagedFile(name: string, content: string): string {
  const folder = join(root, 'staging', 'session');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

describe('ContentStorage.promote', () => {
  it('moves a staged file into a folder it creates, and a repeated move finds it done', async () => {
    const staged = stagedFile('a', 'bytes');
    const stored = join(root, 'library', 'item', 'a');

    await storage.promote(staged, stored);
    await storage.promote(staged, stored);

    expect(existsSync(staged)).toBe(false);
    expect(readFileSync(stored, 'utf8')).toBe('bytes');
  });

  it('two moves of one file racing into a new folder both succeed: the second finds it moved', async () => {
    // Two completion jobs of one session can run side by side; only their commit decides.
    for (let round = 0; round < 25; round += 1) {
      const staged = stagedFile(`race-${round}`, `bytes ${round}`);
      const stored = join(root, 'library', `item-${round}`, 'file');

      await Promise.all([storage.promote(staged, stored), storage.promote(staged, stored)]);

      expect(readFileSync(stored, 'utf8')).toBe(`bytes ${round}`);
    }
  });

  it('a staged file that never was, and is not stored either, is an error', async () => {
    await expect(
      storage.promote(join(root, 'staging', 'nothing'), join(root, 'library', 'x', 'y')),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('ContentStorage staging', () => {
  const session = randomUUID();
  const other = randomUUID();

  async function stage(sessionId: string, transferId: string, content: string): Promise<void> {
    const handle = await storage.openStaging(sessionId, transferId, 'w');
    await handle.writeFile(content);
    await handle.close();
  }

  it('stages every transfer as one flat file named by its session and transfer', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    await stage(session, first, 'one');
    await stage(session, second, 'two');
    await stage(other, first, 'three');

    expect(readdirSync(join(root, 'staging')).sort()).toEqual(
      [`${session}.${first}`, `${session}.${second}`, `${other}.${first}`].sort(),
    );
    expect(readFileSync(storage.stagingPath(session, second), 'utf8')).toBe('two');
    const staged = await storage.stagedTransfers();
    expect(new Set(staged.get(session))).toEqual(new Set([first, second]));
    expect(staged.get(other)).toEqual([first]);
  });

  it('continues a staged file with r+, which needs the file to be there', async () => {
    const transfer = randomUUID();
    await expect(storage.openStaging(session, transfer, 'r+')).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await stage(session, transfer, 'abc');
    const handle = await storage.openStaging(session, transfer, 'r+');
    await handle.write('Z', 3);
    await handle.close();
    expect(readFileSync(storage.stagingPath(session, transfer), 'utf8')).toBe('abcZ');
  });

  it("discards the given transfers of a session and nobody else's; nothing staged is no error", async () => {
    const [kept, dropped] = [randomUUID(), randomUUID()];
    await stage(session, dropped, 'x');
    await stage(other, kept, 'y');

    await storage.discardSession(session, [dropped, randomUUID()]);

    expect(await storage.stagedTransfers()).toEqual(new Map([[other, [kept]]]));
  });

  it('adopts what the folder-per-session layout staged, in every process at once', async () => {
    const transfer = randomUUID();
    mkdirSync(join(root, 'staging', session), { recursive: true });
    writeFileSync(join(root, 'staging', session, transfer), 'before the upgrade');

    await Promise.all([
      storage.adoptFolderPerSessionStaging(),
      new ContentStorage(loadConfig({ STORAGE_ROOT: root })).onApplicationBootstrap(),
    ]);

    expect(readdirSync(join(root, 'staging'))).toEqual([`${session}.${transfer}`]);
    expect(readFileSync(storage.stagingPath(session, transfer), 'utf8')).toBe('before the upgrade');
  });
});
