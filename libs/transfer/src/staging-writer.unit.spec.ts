import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { loadConfig } from '@cls/config';
import { eventually } from '@cls/testing';

import { ContentStorage } from './content-storage';
import { HashWorkerPool } from './hash-worker-pool';
import { StagingWriter, TooLong } from './staging-writer';

let root: string;
let storage: ContentStorage;
let writer: StagingWriter;
let hashing: HashWorkerPool;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cls-staging-'));
  storage = new ContentStorage(loadConfig({ STORAGE_ROOT: root }));
  hashing = new HashWorkerPool({ hashThreads: 1 });
  writer = new StagingWriter(storage, hashing);
});

afterEach(async () => {
  await hashing.onApplicationShutdown();
  rmSync(root, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// Small bodies are gathered and written at once, large ones streamed: both must stage the same.
describe.each([
  ['small (gathered)', 1000, false],
  ['large (streamed)', 300_000, true],
])('StagingWriter, a %s body', (_kind, size, streamed) => {
  const sessionId = randomUUID();

  it('stages the whole body with its digests', async () => {
    const bytes = randomBytes(size);
    const transferId = randomUUID();
    const staged = await writer.stage({
      sessionId,
      transferId,
      declaredSize: size,
      offset: 0,
      body: Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]),
    });

    expect(staged.received).toBe(size);
    expect((await staged.digests()).SHA256).toBe(sha256(bytes));
    expect(readFileSync(storage.stagingPath(sessionId, transferId)).equals(bytes)).toBe(true);
  });

  it('keeps what arrived before the body broke off, for a resume', async () => {
    const bytes = randomBytes(size);
    const transferId = randomUUID();
    const path = storage.stagingPath(sessionId, transferId);
    const body = new PassThrough();
    let seen = 0;
    const staging = writer.stage({
      sessionId,
      transferId,
      declaredSize: size,
      offset: 0,
      body,
      onChunk: (bytes) => (seen += bytes),
    });
    body.write(bytes.subarray(0, 400));
    // Arrived: taken by the stage, and (a streamed body) written through to the file.
    await eventually(
      () => seen === 400 && (!streamed || (existsSync(path) && statSync(path).size === 400)),
      (arrived) => arrived,
      { what: 'the first bytes staged' },
    );
    body.destroy(new Error('aborted'));

    await expect(staging).rejects.toThrow('aborted');
    expect(readFileSync(path)).toEqual(bytes.subarray(0, 400));
  });

  it('refuses a body longer than declared', async () => {
    await expect(
      writer.stage({
        sessionId,
        transferId: randomUUID(),
        declaredSize: size,
        offset: 0,
        body: Readable.from([randomBytes(size), randomBytes(1)]),
      }),
    ).rejects.toBeInstanceOf(TooLong);
  });
});
