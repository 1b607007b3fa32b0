import { createHash, randomBytes } from 'node:crypto';

import type { ChecksumAlgorithm } from '@cls/domain';

import type { Digester } from './digester';
import { createDigester, WORKER_THRESHOLD_BYTES } from './digester';
import { HashWorkerPool, NODE_HASH_NAME } from './hash-worker-pool';

const MiB = 1024 * 1024;

/** Writes the chunks one after another, each once the digester has taken the previous one. */
async function feed(digester: Digester, chunks: readonly Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    await new Promise<void>((resolve) => digester.write(chunk, resolve));
  }
}

function expectedDigests(algorithms: readonly ChecksumAlgorithm[], bytes: Buffer) {
  return Object.fromEntries(
    algorithms.map((algorithm) => [
      algorithm,
      createHash(NODE_HASH_NAME[algorithm]).update(bytes).digest('hex'),
    ]),
  );
}

/** Cuts bytes into chunks of uneven sizes, some larger than the 2 MiB ring. */
function unevenChunks(bytes: Buffer): Buffer[] {
  const sizes = [1, 65_536, 3 * MiB + 17, 9 * MiB, 12_345];
  const chunks: Buffer[] = [];
  for (let at = 0, index = 0; at < bytes.length; index += 1) {
    const size = sizes[index % sizes.length]!;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('createDigester', () => {
  const algorithms: ChecksumAlgorithm[] = ['SHA1', 'SHA256', 'MD5', 'SHA512'];
  const bytes = randomBytes(40 * MiB + 321);

  describe.each([0, 1, 2])('with %i hashing threads', (threads) => {
    let pool: HashWorkerPool;

    beforeAll(() => {
      pool = new HashWorkerPool({ hashThreads: threads });
    });

    afterAll(() => pool.onApplicationShutdown());

    it('computes every requested digest of a large stream written in uneven chunks', async () => {
      const started = jest.spyOn(pool, 'start');
      const digester = createDigester(pool, algorithms, bytes.length);
      await feed(digester, unevenChunks(bytes));
      await expect(digester.digests()).resolves.toEqual(expectedDigests(algorithms, bytes));
      // Off the event loop exactly when there are threads to hash on.
      expect(started).toHaveBeenCalledTimes(threads > 0 ? 1 : 0);
      started.mockRestore();
    });

    it('hashes concurrent uploads independently', async () => {
      const others = [randomBytes(20 * MiB), randomBytes(WORKER_THRESHOLD_BYTES)];
      const results = await Promise.all(
        others.map(async (other) => {
          const digester = createDigester(pool, ['SHA1', 'SHA256'], undefined);
          await feed(digester, unevenChunks(other));
          return digester.digests();
        }),
      );
      expect(results).toEqual(others.map((other) => expectedDigests(['SHA1', 'SHA256'], other)));
    });

    it('hashes small and single-digest uploads too', async () => {
      const small = bytes.subarray(0, 1000);
      const several = createDigester(pool, algorithms, small.length);
      await feed(several, [small.subarray(0, 10), small.subarray(10)]);
      await expect(several.digests()).resolves.toEqual(expectedDigests(algorithms, small));
      const single = createDigester(pool, ['SHA256'], bytes.length);
      await feed(single, unevenChunks(bytes));
      await expect(single.digests()).resolves.toEqual(expectedDigests(['SHA256'], bytes));
    });

    it('gives the digests of nothing for an empty stream', async () => {
      const digester = createDigester(pool, ['SHA1', 'MD5'], undefined);
      await expect(digester.digests()).resolves.toEqual(
        expectedDigests(['SHA1', 'MD5'], Buffer.alloc(0)),
      );
    });

    it('keeps serving new uploads after one is closed half-way', async () => {
      const abandoned = createDigester(pool, algorithms, bytes.length);
      await feed(abandoned, unevenChunks(bytes.subarray(0, 20 * MiB)));
      abandoned.close();
      const next = createDigester(pool, algorithms, bytes.length);
      await feed(next, unevenChunks(bytes));
      await expect(next.digests()).resolves.toEqual(expectedDigests(algorithms, bytes));
    });
  });
});
