import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import type { FileSourceOptions } from './file-pull-source';
import { openFileSource } from './file-pull-source';
import { PullSourceError } from './pull-source-error';

let base: string;
let root: string;
let outside: string;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'pull-file-')));
  root = join(base, 'imports');
  outside = join(base, 'elsewhere');
  mkdirSync(join(root, 'ds1', 'folder'), { recursive: true });
  mkdirSync(join(root, 'nested'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'disk.vmdk'), 'disk bytes');
  writeFileSync(join(root, 'ds1', 'folder', 'my disk.vmdk'), 'datastore bytes');
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'escape.vmdk'));
  symlinkSync(outside, join(root, 'escape-dir'));
  symlinkSync(join(root, 'disk.vmdk'), join(root, 'nested', 'alias.vmdk'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

function open(url: URL | string, overrides: Partial<FileSourceOptions> = {}) {
  return openFileSource({
    url: typeof url === 'string' ? new URL(url) : url,
    importRoots: [root],
    datastores: [{ id: 'ds1', path: join(root, 'ds1') }],
    offset: 0,
    ...overrides,
  });
}

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function failure(promise: Promise<unknown>): Promise<PullSourceError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PullSourceError);
  return error as PullSourceError;
}

describe('openFileSource', () => {
  describe('file: URLs', () => {
    it('reads a file inside an import root', async () => {
      const source = await open(pathToFileURL(join(root, 'disk.vmdk')));

      expect(source).toMatchObject({ resumedFrom: 0, totalSize: 10, warnings: [] });
      expect(await text(source.body)).toBe('disk bytes');
    });

    it('keeps an abort that comes before the reader starts for the reader, not the process', async () => {
      const abort = new AbortController();
      const source = await open(pathToFileURL(join(root, 'disk.vmdk')), { signal: abort.signal });
      abort.abort(new Error('the session was canceled'));
      await new Promise((resolve) => setTimeout(resolve, 20));

      await expect(text(source.body)).rejects.toThrow(/aborted|canceled/);
    });

    it('starts at the offset', async () => {
      const source = await open(pathToFileURL(join(root, 'disk.vmdk')), { offset: 5 });

      expect(source).toMatchObject({ resumedFrom: 5, totalSize: 10 });
      expect(await text(source.body)).toBe('bytes');
    });

    it('follows a symlink that stays inside the roots', async () => {
      const source = await open(pathToFileURL(join(root, 'nested', 'alias.vmdk')));

      expect(await text(source.body)).toBe('disk bytes');
    });

    it('refuses a file outside the import roots without naming them', async () => {
      const error = await failure(open(pathToFileURL(join(outside, 'secret.txt'))));

      expect(error).toMatchObject({ permanent: true, code: 'PATH_OUTSIDE_ROOTS' });
      expect(error.message).toBe(
        `Path ${join(outside, 'secret.txt')} is outside the import roots.`,
      );
    });

    it.each([
      ['..', '/../elsewhere/secret.txt'],
      ['encoded ..', '/nested/%2e%2e/../elsewhere/secret.txt'],
    ])('refuses a path that climbs out with %s', async (_, tail) => {
      const error = await failure(open(`file://${root}${tail}`));

      expect(error).toMatchObject({ permanent: true, code: 'PATH_OUTSIDE_ROOTS' });
    });

    it.each([
      ['a file symlink', 'escape.vmdk'],
      ['a folder symlink', 'escape-dir/secret.txt'],
    ])('refuses %s that points outside the roots', async (_, name) => {
      const error = await failure(open(pathToFileURL(join(root, name))));

      expect(error).toMatchObject({ permanent: true, code: 'PATH_OUTSIDE_ROOTS' });
      expect(error.message).not.toContain(outside);
    });

    it('fails permanently on a missing file', async () => {
      const error = await failure(open(pathToFileURL(join(root, 'missing.vmdk'))));

      expect(error).toMatchObject({ permanent: true, code: 'FILE_NOT_FOUND' });
    });

    it('fails permanently on a directory', async () => {
      const error = await failure(open(pathToFileURL(join(root, 'nested'))));

      expect(error).toMatchObject({ permanent: true, code: 'NOT_A_FILE' });
      expect(error.message).toContain('is a directory');
    });

    it('fails permanently when the file is shorter than the offset', async () => {
      const error = await failure(open(pathToFileURL(join(root, 'disk.vmdk')), { offset: 11 }));

      expect(error).toMatchObject({ permanent: true, code: 'BAD_RANGE' });
    });

    it('refuses a file URL with a remote host', async () => {
      const error = await failure(open(`file://fileserver${root}/disk.vmdk`));

      expect(error).toMatchObject({ permanent: true, code: 'INVALID_URI' });
    });

    it('rejects with the abort reason when already aborted', async () => {
      await expect(
        open(pathToFileURL(join(root, 'disk.vmdk')), { signal: AbortSignal.abort() }),
      ).rejects.toMatchObject({ name: 'AbortError' });
    });
  });

  describe('ds: URLs', () => {
    it.each([
      ['ds:///vmfs/volumes/<id>/<path>', 'ds:///vmfs/volumes/ds1/folder/my%20disk.vmdk'],
      ['ds://<id>/<path>', 'ds://ds1/folder/my%20disk.vmdk'],
    ])('maps %s to the datastore folder', async (_, url) => {
      const source = await open(url, { offset: 10 });

      expect(source).toMatchObject({ resumedFrom: 10, totalSize: 15 });
      expect(await text(source.body)).toBe('bytes');
    });

    it('fails permanently on an unknown datastore', async () => {
      const error = await failure(open('ds:///vmfs/volumes/ds9/folder/my%20disk.vmdk'));

      expect(error).toMatchObject({ permanent: true, code: 'UNKNOWN_DATASTORE' });
    });

    it('refuses a datastore folder outside the import roots', async () => {
      const error = await failure(
        open('ds://outer/secret.txt', { datastores: [{ id: 'outer', path: outside }] }),
      );

      expect(error).toMatchObject({ permanent: true, code: 'PATH_OUTSIDE_ROOTS' });
      expect(error.message).toBe('Path ds://outer/secret.txt is outside the import roots.');
    });

    it('refuses a ds path that is not under /vmfs/volumes', async () => {
      const error = await failure(open('ds:///tmp/secret.txt'));

      expect(error).toMatchObject({ permanent: true, code: 'INVALID_URI' });
    });
  });
});
