import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
