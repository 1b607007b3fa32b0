import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import { MiB } from './measure';
import { writeRepeated } from './repeated-bytes';

/**
 * The PULL bench's source: `GET /bench.bin?mib=N` answers N MiB (the MiB in the file named by the
 * first argument, repeated) with a Content-Length, as a web server or a vCenter datastore browser
 * would, and prints `served <arrived> <finished>` (epoch ms) for each. It runs in its own process
 * so that serving does not compete with the bench client.
 */
const chunk = readFileSync(process.argv[2] ?? '');
if (chunk.length !== MiB) throw new Error(`expected a 1 MiB chunk, got ${chunk.length} bytes`);

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://source');
  const sizeMiB = Number(url.searchParams.get('mib'));
  if (url.pathname !== '/bench.bin' || !Number.isInteger(sizeMiB) || sizeMiB <= 0) {
    response.writeHead(404).end();
    return;
  }
  // No Range support on purpose: a retried pull then starts over, which the bench would notice as
  // a slow round rather than a silently shorter one.
  const arrived = Date.now();
  // When the request came and when its last byte left, for the bench to split a pull's time into
  // job pickup, transfer and settling.
  response.on('finish', () => process.stdout.write(`served ${arrived} ${Date.now()}\n`));
  response.writeHead(200, { 'content-length': String(sizeMiB * MiB) });
  writeRepeated(response, chunk, sizeMiB);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
