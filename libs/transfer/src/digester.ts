import { createHash } from 'node:crypto';

import type { ChecksumAlgorithm, Digests } from '@cls/domain';

import type { HashJob, HashWorkerPool } from './hash-worker-pool';
import { NODE_HASH_NAME } from './hash-worker-pool';

/** Below this size hashing inline costs less than handing bytes to another thread. */
export const WORKER_THRESHOLD_BYTES = 16 * 1024 * 1024;
/** Bytes copied into the ring before the hashing thread is told about them. */
const BATCH_BYTES = 256 * 1024;
/**
 * The ring shared with the hashing thread: the most an upload holds for hashing at once. Small
 * enough to stay in the shared CPU cache, so the thread hashes bytes the copy just brought in (a
 * larger ring was slower in `npm run bench -- upload`; README, "Bytes").
 */
const RING_BYTES = 2 * 1024 * 1024;

/** Computes several digests of one byte sequence, written in order. */
export interface Digester {
  /** Takes the chunk, then calls `done` (at once, or once a hashing thread has caught up). */
  write(chunk: Buffer, done: () => void): void;
  /** The digests of everything written; the digester is done afterwards. */
  digests(): Promise<Digests>;
  close(): void;
}

class InlineDigester implements Digester {
  private readonly hashes: [ChecksumAlgorithm, ReturnType<typeof createHash>][];

  constructor(algorithms: readonly ChecksumAlgorithm[]) {
    this.hashes = algorithms.map((algorithm) => [algorithm, createHash(NODE_HASH_NAME[algorithm])]);
  }

  write(chunk: Buffer, done: () => void): void {
    for (const [, hash] of this.hashes) hash.update(chunk);
    done();
  }

  digests(): Promise<Digests> {
    return Promise.resolve(
      Object.fromEntries(this.hashes.map(([algorithm, hash]) => [algorithm, hash.digest('hex')])),
    );
  }

  close(): void {}
}

/**
 * Several digests of a large file hash on a pool thread, so hashing does not cap the event loop's
 * throughput. Bytes are copied once into a fixed ring shared with that thread: memory
 * stays at RING_BYTES per upload however fast the client sends, with no allocation per chunk.
 */
class WorkerDigester implements Digester {
  private readonly ring = new SharedArrayBuffer(RING_BYTES);
  private readonly view = new Uint8Array(this.ring);
  private readonly job: HashJob;
  /** Stream offsets: bytes copied in, bytes handed to the thread, bytes it has hashed. */
  private written = 0;
  private posted = 0;
  private hashed = 0;
  private blocked: (() => void) | undefined;

  constructor(pool: HashWorkerPool, algorithms: readonly ChecksumAlgorithm[]) {
    this.job = pool.start(algorithms, this.ring, (bytes) => {
      this.hashed += bytes;
      const retry = this.blocked;
      this.blocked = undefined;
      retry?.();
    });
  }

  write(chunk: Buffer, done: () => void): void {
    const free = RING_BYTES - (this.written - this.hashed);
    if (free < Math.min(chunk.length, RING_BYTES)) {
      this.post();
      this.blocked = () => this.write(chunk, done);
      return;
    }
    const piece = chunk.length <= free ? chunk : chunk.subarray(0, free);
    this.copy(piece);
    if (this.written - this.posted >= BATCH_BYTES) this.post();
    if (piece.length === chunk.length) done();
    else this.write(chunk.subarray(piece.length), done);
  }

  digests(): Promise<Digests> {
    this.post();
    return this.job.finish();
  }

  close(): void {
    this.job.abort();
  }

  private copy(piece: Buffer): void {
    const offset = this.written % RING_BYTES;
    const first = Math.min(piece.length, RING_BYTES - offset);
    this.view.set(piece.subarray(0, first), offset);
    if (first < piece.length) this.view.set(piece.subarray(first), 0);
    this.written += piece.length;
  }

  private post(): void {
    if (this.posted === this.written) return;
    this.job.hash(this.posted, this.written);
    this.posted = this.written;
  }
}

export function createDigester(
  pool: HashWorkerPool,
  algorithms: readonly ChecksumAlgorithm[],
  expectedSize: number | undefined,
): Digester {
  const large = expectedSize === undefined || expectedSize >= WORKER_THRESHOLD_BYTES;
  return algorithms.length > 1 && large && pool.size > 0
    ? new WorkerDigester(pool, algorithms)
    : new InlineDigester(algorithms);
}
