import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';

/**
 * The baseline: the least a server can do for a download. node:http answers every request with
 * the file named on the command line, streamed by `createReadStream`.
 */
const path = process.argv[2]!;
const size = statSync(path).size;
const server = createServer((_request, response) => {
  response.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(size),
  });
  pipeline(createReadStream(path), response).catch(() => response.destroy());
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
