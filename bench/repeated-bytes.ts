import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { Writable } from 'node:stream';

import { elapsedMs, MiB } from './measure';

/**
 * Bench payloads are one random MiB repeated: generating (or reading) gigabytes would cost the
 * sender more CPU than the server under test spends, and skew the comparison. Each `write` hands
 * `out` `writeBytes` of it (all of `chunk` unless told; a divisor of its length), waiting for
 * 'drain' whenever `out` is full.
 */
export function writeRepeated(
  out: Writable,
  chunk: Buffer,
  sizeMiB: number,
  writeBytes = chunk.length,
): void {
  const writes = (sizeMiB * chunk.length) / writeBytes;
  let sent = 0;
  const pump = (): void => {
    while (sent < writes) {
      const offset = (sent * writeBytes) % chunk.length;
      sent += 1;
      if (!out.write(chunk.subarray(offset, offset + writeBytes))) {
        out.once('drain', pump);
        return;
      }
    }
    out.end();
  };
  pump();
}

/** SHA-256 (hex) of `chunk` repeated `sizeMiB` times: the checksum a session file declares. */
export function sha256OfRepeated(chunk: Buffer, sizeMiB: number): string {
  const sha256 = createHash('sha256');
  for (let index = 0; index < sizeMiB; index += 1) sha256.update(chunk);
  return sha256.digest('hex');
}

/**
 * PUTs `sizeMiB` MiB (`chunk` repeated) as a stream with a Content-Length, `writeBytes` per write
 * (see `writeRepeated`); resolves with the elapsed milliseconds once the server has answered 200,
 * and rejects on any other answer.
 */
export function put(
  uri: string,
  chunk: Buffer,
  sizeMiB: number,
  writeBytes = chunk.length,
): Promise<number> {
  const url = new URL(uri);
  const started = process.hrtime.bigint();
  return new Promise((resolvePut, reject) => {
    const outgoing = request(
      {
        method: 'PUT',
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        headers: { 'content-length': String(sizeMiB * MiB) },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode === 200) resolvePut(elapsedMs(started));
          else reject(new Error(`upload to ${url.pathname} answered ${response.statusCode}`));
        });
      },
    );
    outgoing.on('error', reject);
    writeRepeated(outgoing, chunk, sizeMiB, writeBytes);
  });
}
