import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { Worker } from 'node:worker_threads';

import type { ChecksumAlgorithm, Digests } from '@cls/domain';

const NODE_NAME: Record<ChecksumAlgorithm, string> = {
  SHA1: 'sha1',
  MD5: 'md5',
  SHA256: 'sha256',
  SHA512: 'sha512',
};

/** Below this size a worker thread costs more to start than it saves. */
export const WORKER_THRESHOLD_BYTES = 16 * 1024 * 1024;
/** Bytes handed to the worker but not hashed yet; beyond it the upload waits (back-pressure). */
const MAX_IN_FLIGHT_BYTES = 8 * 1024 * 1024;

/** Computes several digests of one byte sequence. */
export interface Digester {
  /** Resolves when the digester can take more (immediately unless a worker is behind). */
  update(chunk: Uint8Array): Promise<void>;
  /** The digests of everything updated so far; the digester is done afterwards. */
  digests(): Promise<Digests>;
  close(): void;
}

class InlineDigester implements Digester {
  private readonly hashes: [ChecksumAlgorithm, ReturnType<typeof createHash>][];

  constructor(algorithms: readonly ChecksumAlgorithm[]) {
    this.hashes = algorithms.map((algorithm) => [algorithm, createHash(NODE_NAME[algorithm])]);
  }

  update(chunk: Uint8Array): Promise<void> {
    for (const [, hash] of this.hashes) hash.update(chunk);
    return Promise.resolve();
  }

  digests(): Promise<Digests> {
    return Promise.resolve(
      Object.fromEntries(this.hashes.map(([algorithm, hash]) => [algorithm, hash.digest('hex')])),
    );
  }

  close(): void {}
}

// Runs in the worker: hash every chunk with every algorithm, acknowledge it, answer digests at the end.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = workerData.map(([name, nodeName]) => [name, createHash(nodeName)]);
parentPort.on('message', (chunk) => {
  if (chunk === null) {
    parentPort.postMessage(Object.fromEntries(hashes.map(([name, hash]) => [name, hash.digest('hex')])));
    return;
  }
  const bytes = new Uint8Array(chunk);
  for (const [, hash] of hashes) hash.update(bytes);
  parentPort.postMessage(bytes.byteLength);
});
`;

/**
 * Several digests of a large file hash on a worker thread, so hashing does not cap the event
 * loop's throughput (issue 3 §2). Chunks are copied into transferable buffers, and at most
 * MAX_IN_FLIGHT_BYTES wait in the worker at any time.
 */
class WorkerDigester implements Digester {
  private readonly worker: Worker;
  private inFlight = 0;
  private waiting: (() => void) | undefined;
  private readonly result: Promise<Digests>;

  constructor(algorithms: readonly ChecksumAlgorithm[]) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: algorithms.map((algorithm) => [algorithm, NODE_NAME[algorithm]]),
    });
    this.result = new Promise((resolve, reject) => {
      this.worker.on('message', (message: number | Digests) => {
        if (typeof message !== 'number') {
          resolve(message);
          return;
        }
        this.inFlight -= message;
        if (this.inFlight <= MAX_IN_FLIGHT_BYTES) {
          this.waiting?.();
          this.waiting = undefined;
        }
      });
      this.worker.once('error', reject);
    });
    // Unobserved until digests() is asked for; a failure then surfaces there.
    this.result.catch(() => undefined);
  }

  update(chunk: Uint8Array): Promise<void> {
    const copy = new Uint8Array(chunk);
    this.inFlight += copy.byteLength;
    this.worker.postMessage(copy.buffer, [copy.buffer]);
    if (this.inFlight <= MAX_IN_FLIGHT_BYTES) return Promise.resolve();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async digests(): Promise<Digests> {
    this.worker.postMessage(null);
    try {
      return await this.result;
    } finally {
      this.close();
    }
  }

  close(): void {
    void this.worker.terminate();
  }
}

export function createDigester(
  algorithms: readonly ChecksumAlgorithm[],
  expectedSize: number | undefined,
): Digester {
  const large = expectedSize === undefined || expectedSize >= WORKER_THRESHOLD_BYTES;
  return algorithms.length > 1 && large
    ? new WorkerDigester(algorithms)
    : new InlineDigester(algorithms);
}

/** A pass-through stage that feeds every chunk to the digester on its way to the disk. */
export function hashing(digester: Digester): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      digester.update(chunk).then(
        () => callback(null, chunk),
        (error: unknown) => callback(error as Error),
      );
    },
  });
}
