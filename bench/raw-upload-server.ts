import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The baseline: the least a server can do for an upload. node:http streams the body through the
 * same digests (SHA-1 and SHA-256, inline) into a file in the same folder, then answers 200.
 */
const directory = process.argv[2] ?? '.';
const server = createServer((request, response) => {
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sha1.update(chunk);
      sha256.update(chunk);
      callback(null, chunk);
    },
  });
  // One file, overwritten by every upload: the bench measures throughput, not retention.
  pipeline(request, hashing, createWriteStream(join(directory, 'baseline-upload'))).then(
    () => {
      response.setHeader('x-sha256', sha256.digest('hex'));
      response.end(sha1.digest('hex'));
    },
    () => {
      response.statusCode = 500;
      response.end();
    },
  );
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
