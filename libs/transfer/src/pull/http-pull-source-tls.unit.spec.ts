import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { connect as connectTcp, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import type { HttpSourceOptions } from './http-pull-source';
import { openHttpSource } from './http-pull-source';
import { OutboundPolicy } from './outbound-policy';
import { PullSourceError } from './pull-source-error';

interface KeyPair {
  readonly key: string;
  readonly cert: string;
  readonly sha1: string;
  readonly sha256: string;
}

const policy = new OutboundPolicy({ allowedNetworks: ['127.0.0.0/8'] });
const servers: (HttpServer | HttpsServer | NetServer)[] = [];
let dir: string;
let selfSigned: KeyPair;
let ca: KeyPair;
let trusted: KeyPair;
let expired: KeyPair;
let otherName: KeyPair;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function keyPair(name: string): KeyPair {
  const cert = readFileSync(join(dir, `${name}.pem`), 'utf8');
  const x509 = new X509Certificate(cert);
  return {
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    cert,
    sha1: x509.fingerprint,
    sha256: x509.fingerprint256,
  };
}

const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A leaf for `subjectAltName` signed by the test CA, valid for `days` (-1: already expired). */
function signedLeaf(name: string, subjectAltName: string, days: number): KeyPair {
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${subjectAltName}\n`);
  openssl(
    'req',
    ...NEW_EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  );
  // `-days -1` puts notAfter a day before notBefore (now): OpenSSL 3.0 has no -not_after.
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    String(Date.now()),
    '-days',
    String(days),
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  );
  return keyPair(name);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pull-tls-'));
  openssl(
    'req',
    '-x509',
    ...NEW_EC_KEY,
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-days',
    '30',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  );
  selfSigned = keyPair('self');
  openssl(
    'req',
    '-x509',
    ...NEW_EC_KEY,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    '/CN=Pull Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ca = keyPair('ca');
  trusted = signedLeaf('trusted', 'IP:127.0.0.1,DNS:localhost', 30);
  expired = signedLeaf('expired', 'IP:127.0.0.1,DNS:localhost', -1);
  otherName = signedLeaf('other', 'DNS:other.example', 30);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          if ('closeAllConnections' in server) server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

async function listen<T extends HttpServer | HttpsServer | NetServer>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function serveTls({ key, cert }: KeyPair, content = 'secure bytes'): Promise<URL> {
  const port = await listen(
    createHttpsServer({ key, cert }, (_, response) => response.end(content)),
  );
  return new URL(`https://127.0.0.1:${port}/disk.vmdk`);
}

function open(url: URL, overrides: Partial<HttpSourceOptions> = {}) {
  return openHttpSource({ url, offset: 0, policy, stallMs: 5_000, env: {}, ...overrides });
}

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function failure(promise: Promise<unknown>): Promise<PullSourceError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PullSourceError);
  return error as PullSourceError;
}

describe('openHttpSource over https', () => {
  describe('with a pinned thumbprint', () => {
    it('accepts a self-signed certificate by its SHA-1 thumbprint (colon form)', async () => {
      const url = await serveTls(selfSigned);

      const source = await open(url, { thumbprint: selfSigned.sha1 });

      expect(source.warnings).toEqual([]);
      expect(await text(source.body)).toBe('secure bytes');
    });

    it('accepts a self-signed certificate by its SHA-256 thumbprint (plain lower case)', async () => {
      const url = await serveTls(selfSigned);
      const plain = selfSigned.sha256.replaceAll(':', '').toLowerCase();

      const source = await open(url, { thumbprint: plain });

      expect(source.warnings).toEqual([]);
      expect(await text(source.body)).toBe('secure bytes');
    });

    it('refuses a certificate that does not match, naming both observed thumbprints', async () => {
      const url = await serveTls(selfSigned);

      const error = await failure(open(url, { thumbprint: trusted.sha1 }));

      expect(error).toMatchObject({ permanent: true, code: 'CERTIFICATE_MISMATCH' });
      expect(error.message).toBe(
        `The certificate of 127.0.0.1 has SHA-1 thumbprint ${selfSigned.sha1} and SHA-256 ` +
          `thumbprint ${selfSigned.sha256}, which does not match the pinned thumbprint ${trusted.sha1}.`,
      );
    });

    it('refuses a malformed thumbprint before connecting', async () => {
      const url = await serveTls(selfSigned);

      const error = await failure(open(url, { thumbprint: 'AB:CD' }));

      expect(error).toMatchObject({ permanent: true, code: 'INVALID_THUMBPRINT' });
    });
  });

  describe('without a pinned thumbprint', () => {
    it('goes ahead with a self-signed certificate and warns with its thumbprints', async () => {
      const url = await serveTls(selfSigned);

      const source = await open(url);

      expect(await text(source.body)).toBe('secure bytes');
      expect(source.warnings).toEqual([
        { type: 'SELF_SIGNED_CERTIFICATE', message: expect.stringContaining(selfSigned.sha1) },
      ]);
      expect(source.warnings[0]?.message).toContain(selfSigned.sha256);
    });

    it('warns about an expired certificate', async () => {
      const url = await serveTls(expired);

      const source = await open(url, { caCertificates: [ca.cert] });

      expect(source.warnings).toEqual([
        { type: 'EXPIRED_CERTIFICATE', message: expect.stringContaining(expired.sha1) },
      ]);
      source.body.destroy();
    });

    it('warns about a certificate issued for another host name', async () => {
      const url = await serveTls(otherName);

      const source = await open(url, { caCertificates: [ca.cert] });

      expect(source.warnings).toEqual([
        { type: 'UNTRUSTED_CERTIFICATE', message: expect.stringContaining(otherName.sha256) },
      ]);
      source.body.destroy();
    });

    it('warns about a certificate from an unknown CA', async () => {
      const url = await serveTls(trusted);

      const source = await open(url);

      expect(source.warnings).toEqual([
        { type: 'UNTRUSTED_CERTIFICATE', message: expect.stringContaining(trusted.sha1) },
      ]);
      source.body.destroy();
    });

    it('has no warning for a certificate trusted through caCertificates', async () => {
      const url = await serveTls(trusted);

      const source = await open(url, { caCertificates: [ca.cert] });

      expect(source.warnings).toEqual([]);
      expect(await text(source.body)).toBe('secure bytes');
    });
  });

  describe('broken servers', () => {
    it('times out instead of hanging when the TLS handshake never completes', async () => {
      // Reads (so it notices when the client gives up) but never answers the ClientHello.
      const port = await listen(createNetServer((socket) => socket.resume()));
      const started = Date.now();

      const error = await failure(
        open(new URL(`https://127.0.0.1:${port}/`), { connectTimeoutMs: 300 }),
      );

      expect(error).toMatchObject({ permanent: false, code: 'CONNECT_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('fails permanently when an https URL points at a plain HTTP server', async () => {
      const port = await listen(createHttpServer((_, response) => response.end('plain')));

      const error = await failure(open(new URL(`https://127.0.0.1:${port}/`)));

      expect(error).toMatchObject({ permanent: true, code: 'CONNECT_FAILED' });
    });
  });

  describe('through a proxy', () => {
    it('still enforces the pinned thumbprint on the tunnelled connection', async () => {
      const targets: string[] = [];
      const proxy = createHttpServer((_, response) => response.writeHead(405).end());
      proxy.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
        targets.push(request.url ?? '');
        const [host = '', port = ''] = (request.url ?? '').split(/:(?=\d+$)/);
        const upstream = connectTcp(Number(port), host, () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(client).pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
      const proxyPort = await listen(proxy);
      const url = await serveTls(selfSigned);
      const env = { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` };

      const error = await failure(open(url, { env, thumbprint: trusted.sha256 }));
      const source = await open(url, { env, thumbprint: selfSigned.sha256 });

      expect(error).toMatchObject({ permanent: true, code: 'CERTIFICATE_MISMATCH' });
      expect(await text(source.body)).toBe('secure bytes');
      expect(targets).toEqual([url.host, url.host]);
    });
  });
});
