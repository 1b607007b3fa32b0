import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { Injectable } from '@nestjs/common';

import type { ChecksumInfo, Digests } from '@cls/domain';
import { REPRESENTATION_CHECKSUM, STORED_CHECKSUM } from '@cls/domain';

import { ContentStorage } from './content-storage';
import type { Digester } from './digester';
import { createDigester } from './digester';
import { HashWorkerPool } from './hash-worker-pool';

/**
 * A new body of a declared size up to this is gathered in memory and staged with one write: a
 * small file then costs its staging an open, a write and a close, not a file stream's setup.
 */
const GATHERED_MAX_BYTES = 64 * 1024;

/** The file system has no room left (or the quota is used up). */
export function isStorageFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** More bytes arrived than the file declared. */
export class TooLong extends Error {}

/** A body that went on past the end its `Content-Range` announced. */
export class PastRangeEnd extends Error {}

export interface StageRequest {
  readonly sessionId: string;
  readonly transferId: string;
  readonly declaredSize?: number;
  readonly expectedChecksum?: ChecksumInfo;
  /** Where the body continues the staged file; bytes before it are re-hashed from disk. */
  readonly offset: number;
  /**
   * Where the body must stop (a `Content-Range`'s last byte + 1): a chunk that goes past it fails
   * the stage with `PastRangeEnd` before any of it is written.
   */
  readonly end?: number;
  readonly body: Readable;
  /** Called with the size of every chunk of the body (activity, byte counts); must be cheap. */
  readonly onChunk?: (bytes: number) => void;
  readonly signal?: AbortSignal;
}

/** What a stage left on disk; `digests()` covers every byte from 0, `discard()` frees the hashing. */
export interface StagedBytes {
  readonly received: number;
  digests(): Promise<Digests>;
  discard(): void;
}

/**
 * One pass-through stage: `observe` sees each chunk first (counting, limits), then the chunk feeds
 * the digester on its way to the disk, waiting while a hashing thread is behind.
 */
function digesting(digester: Digester, observe: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        observe(chunk);
      } catch (error) {
        callback(error as Error);
        return;
      }
      digester.write(chunk, () => callback(null, chunk));
    },
  });
}

/** The end of a pipeline that keeps the chunks it is given. */
function gatheringInto(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
}

/**
 * Streams a transfer's bytes (a PUSH body or a PULL source) into its staging file through the
 * digests the file needs (SHA-1 and SHA-256 always, plus the declared algorithm), never buffered
 * whole beyond a small file's declared size.
 */
@Injectable()
export class StagingWriter {
  constructor(
    private readonly storage: ContentStorage,
    private readonly hashing: HashWorkerPool,
  ) {}

  async stage(request: StageRequest): Promise<StagedBytes> {
    const algorithms = [
      ...new Set([
        STORED_CHECKSUM,
        REPRESENTATION_CHECKSUM,
        request.expectedChecksum?.algorithm ?? STORED_CHECKSUM,
      ]),
    ];
    const digester = createDigester(this.hashing, algorithms, request.declaredSize);
    const path = this.storage.stagingPath(request.sessionId, request.transferId);
    const { offset, end, declaredSize, signal } = request;
    let received = offset;
    try {
      if (offset > 0) {
        await pipeline(
          createReadStream(path, { end: offset - 1 }),
          digesting(digester, () => undefined),
          new Writable({ write: (_chunk, _encoding, done) => done() }),
          { ...(signal ? { signal } : {}) },
        );
      }
      // A small new body is gathered and staged with one write; others stream to the file.
      const gathered: Buffer[] | undefined =
        offset === 0 && declaredSize !== undefined && declaredSize <= GATHERED_MAX_BYTES
          ? []
          : undefined;
      const destination = gathered
        ? gatheringInto(gathered)
        : // The stream closes the file when it ends, whichever way.
          (
            await this.storage.openStaging(
              request.sessionId,
              request.transferId,
              offset > 0 ? 'r+' : 'w',
            )
          ).createWriteStream({ start: offset });
      try {
        await pipeline(
          request.body,
          digesting(digester, (chunk) => {
            received += chunk.length;
            if (declaredSize !== undefined && received > declaredSize) throw new TooLong();
            if (end !== undefined && received > end) throw new PastRangeEnd();
            request.onChunk?.(chunk.length);
          }),
          destination,
          { ...(signal ? { signal } : {}) },
        );
      } finally {
        // However the body ended, what was gathered is staged: what arrived stays resumable.
        if (gathered)
          await this.storage.writeStaging(
            request.sessionId,
            request.transferId,
            Buffer.concat(gathered),
          );
      }
    } catch (error) {
      // Failing before the body was piped (re-reading the staged bytes) leaves it to nobody:
      // destroy it, so its connection or file is let go.
      request.body.destroy();
      digester.close();
      throw error;
    }
    return { received, digests: () => digester.digests(), discard: () => digester.close() };
  }
}
