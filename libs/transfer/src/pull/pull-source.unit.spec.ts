import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import { OutboundPolicy } from './outbound-policy';
import type { PullSourceOptions } from './pull-source';
import { normalizeThumbprint, openPullSource } from './pull-source';

let dir: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pull-source-'));
  writeFileSync(join(dir, 'local.iso'), 'local bytes');
  server = createServer((_, response) => response.end('remote bytes'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function open(uri: string, overrides: Partial<PullSourceOptions> = {}) {
  return openPullSource({
    uri,
    offset: 0,
    policy: new OutboundPolicy({ allowedNetworks: ['127.0.0.0/8'] }),
    importRoots: [dir],
    datastores: [],
    stallMs: 5_000,
    env: {},
    ...overrides,
  });
}

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('openPullSource', () => {
  it('opens http sources', async () => {
    const source = await open(`http://127.0.0.1:${port}/remote.iso`);

    expect(await text(source.body)).toBe('remote bytes');
  });

  it('opens file sources', async () => {
    const source = await open(pathToFileURL(join(dir, 'local.iso')).href);

    expect(await text(source.body)).toBe('local bytes');
  });

  it('refuses other schemes, naming the scheme', async () => {
    await expect(open('ftp://user:pw@files.example/x.iso')).rejects.toMatchObject({
      permanent: true,
      code: 'UNSUPPORTED_SCHEME',
      message:
        'Scheme "ftp" of ftp://files.example/x.iso is not supported; use http, https, file or ds.',
    });
  });

  it('refuses text that is not a URL without echoing it', async () => {
    await expect(open('not a url with secret')).rejects.toMatchObject({
      permanent: true,
      code: 'INVALID_URI',
      message: 'The source URI is not a valid absolute URL.',
    });
  });

  it('exports normalizeThumbprint for validating ssl_certificate_thumbprint', () => {
    expect(normalizeThumbprint('ab'.repeat(20))).toBe(Array(20).fill('AB').join(':'));
    expect(normalizeThumbprint('zz')).toBeUndefined();
  });
});
