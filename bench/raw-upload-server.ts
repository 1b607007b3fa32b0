import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The baselines: the least a server can do for an upload. node:http streams the body into a file in
 * the same folder, then answers 200: at `/upload` through the same digests as the service (SHA-1
 * and SHA-256, inline), at `/upload-without-digests` through none, the floor of what a client can
 * reach.
 */
const directory = process.argv[2] ?? '.';

/** Answers 200 with `body()` once the bytes are stored, 500 if storing them failed. */
function answer(response: ServerResponse, stored: Promise<void>, body = (): string => ''): void {
  stored.then(
    () => response.end(body()),
    () => {
      response.statusCode = 500;
      response.end();
    },
  );
}

const server = createServer((request, response) => {
  // One file, overwritten by every upload: the bench measures throughput, not retention.
  const file = createWriteStream(join(directory, 'baseline-upload'));
  if (request.url === '/upload-without-digests') {
    answer(response, pipeline(request, file));
    return;
  }
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sha1.update(chunk);
      sha256.update(chunk);
      callback(null, chunk);
    },
  });
  answer(response, pipeline(request, hashing, file), () => {
    response.setHeader('x-sha256', sha256.digest('hex'));
    return sha1.digest('hex');
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
