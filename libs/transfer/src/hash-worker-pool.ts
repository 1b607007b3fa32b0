import { Worker } from 'node:worker_threads';

import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { ChecksumAlgorithm, Digests } from '@cls/domain';

export const NODE_HASH_NAME: Record<ChecksumAlgorithm, string> = {
  SHA1: 'sha1',
  MD5: 'md5',
  SHA256: 'sha256',
  SHA512: 'sha512',
};

type FromWorker =
  | { readonly job: number; readonly hashed: number }
  | { readonly job: number; readonly digests: Digests };

// Runs in each worker. A job shares a ring buffer with the upload; each message names a byte range
// [from, to) of the stream, which lies in the ring at from % size (wrapping at the end).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (message) => {
  if (message.start) {
    jobs.set(message.job, { ring: new Uint8Array(message.ring), hashes: message.start.map(([name, nodeName]) => [name, createHash(nodeName)]) });
    return;
  }
  const job = jobs.get(message.job);
  if (!job) return;
  if (message.end) {
    jobs.delete(message.job);
    parentPort.postMessage({ job: message.job, digests: Object.fromEntries(job.hashes.map(([name, hash]) => [name, hash.digest('hex')])) });
  } else if (message.abort) {
    jobs.delete(message.job);
  } else {
    const size = job.ring.byteLength;
    for (let at = message.from; at < message.to; ) {
      const offset = at % size;
      const length = Math.min(message.to - at, size - offset);
      const piece = job.ring.subarray(offset, offset + length);
      for (const [, hash] of job.hashes) hash.update(piece);
      at += length;
    }
    parentPort.postMessage({ job: message.job, hashed: message.to - message.from });
  }
});
`;

export interface HashJob {
  /** Hash the stream bytes [from, to), already copied into the job's ring. */
  hash(from: number, to: number): void;
  finish(): Promise<Digests>;
  abort(): void;
}

/**
 * Hashing threads shared by all uploads and started with the service, so an upload neither waits
 * for a new isolate nor grows the process by one. `HASH_THREADS` of them; with none, every upload
 * hashes on the event loop (an operator's choice for hosts whose cores are all busy anyway).
 */
@Injectable()
export class HashWorkerPool implements OnApplicationShutdown {
  private readonly workers: Worker[];
  private readonly listeners = new Map<number, (message: FromWorker) => void>();
  private nextJob = 0;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'hashThreads'>) {
    this.workers = Array.from({ length: config.hashThreads }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.on('message', (message: FromWorker) => this.listeners.get(message.job)?.(message));
      worker.unref();
      return worker;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Starts a job over a shared ring; `onHashed` hears how many bytes each finished range had. */
  start(
    algorithms: readonly ChecksumAlgorithm[],
    ring: SharedArrayBuffer,
    onHashed: (bytes: number) => void,
  ): HashJob {
    const job = (this.nextJob += 1);
    const worker = this.workers[job % this.workers.length]!;
    let resolveDigests!: (digests: Digests) => void;
    const digests = new Promise<Digests>((resolve) => (resolveDigests = resolve));
    this.listeners.set(job, (message) => {
      if ('hashed' in message) {
        onHashed(message.hashed);
        return;
      }
      this.listeners.delete(job);
      resolveDigests(message.digests);
    });
    worker.postMessage({
      job,
      ring,
      start: algorithms.map((algorithm) => [algorithm, NODE_HASH_NAME[algorithm]]),
    });
    return {
      hash: (from, to) => worker.postMessage({ job, from, to }),
      finish: () => {
        worker.postMessage({ job, end: true });
        return digests;
      },
      abort: () => {
        this.listeners.delete(job);
        worker.postMessage({ job, abort: true });
      },
    };
  }

  /** After the HTTP server has closed, so uploads still draining keep their hashing. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
