import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedCertificate {
  readonly key: string;
  readonly cert: string;
  /** Upper-case colon-separated SHA-1 and SHA-256 fingerprints of the DER. */
  readonly sha1: string;
  readonly sha256: string;
}

/** A throwaway self-signed certificate for 127.0.0.1, made with the openssl CLI. */
export function selfSignedCertificate(): SelfSignedCertificate {
  const directory = mkdtempSync(join(tmpdir(), 'cls-cert-'));
  const keyPath = join(directory, 'key.pem');
  const certPath = join(directory, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(certPath, 'utf8');
  const x509 = new X509Certificate(cert);
  return {
    key: readFileSync(keyPath, 'utf8'),
    cert,
    sha1: x509.fingerprint,
    sha256: x509.fingerprint256,
  };
}

export interface SourceServer {
  readonly baseUrl: string;
  /** The bytes served at `/file.bin` (with Range support) and `/slow.bin` (a drip). */
  readonly bytes: Buffer;
  readonly sha256: string;
  /** Requests that ended because the client went away, by path. */
  readonly abandoned: string[];
  /** Paths requested, in order, with their query string, Range and Authorization headers. */
  readonly requests: SourceRequest[];
  close(): Promise<void>;
}

export interface SourceRequest {
  readonly path: string;
  readonly query?: string;
  readonly range?: string;
  readonly authorization?: string;
}

function serveBytes(request: IncomingMessage, response: ServerResponse, bytes: Buffer): void {
  const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    response.writeHead(206, {
      'content-length': bytes.length - start,
      'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
    });
    response.end(bytes.subarray(start));
    return;
  }
  response.writeHead(200, { 'content-length': bytes.length });
  response.end(bytes);
}

/**
 * A PULL source for end-to-end tests: `/file.bin` (ranges), `/missing` (404), `/redirect?to=<url>`
 * (302), `/slow.bin?chunk=<bytes>` (a trickle: that many bytes, 64 KiB by default, every 100 ms;
 * ranges honoured), `/truncated.bin?<any>` (half the bytes, then
 * the connection drops, the first time for each query string; complete afterwards), `/stall.bin`
 * (1 KiB, then nothing while the connection stays open), over http or, with a certificate, https.
 */
export async function startSourceServer(
  options: { size?: number; tls?: SelfSignedCertificate } = {},
): Promise<SourceServer> {
  const bytes = randomBytes(options.size ?? 256 * 1024);
  const abandoned: string[] = [];
  const requests: SourceRequest[] = [];
  const truncated = new Set<string>();
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://source');
    const { range, authorization } = request.headers;
    requests.push({
      path: url.pathname,
      ...(url.search === '' ? {} : { query: url.search }),
      ...(range === undefined ? {} : { range }),
      ...(authorization === undefined ? {} : { authorization }),
    });
    response.on('close', () => {
      if (!response.writableFinished) abandoned.push(url.pathname);
    });
    switch (url.pathname) {
      case '/file.bin':
        serveBytes(request, response, bytes);
        return;
      case '/redirect':
        response.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
        response.end();
        return;
      case '/slow.bin': {
        const chunk = Number(url.searchParams.get('chunk') ?? 65_536);
        const from = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
        response.writeHead(
          from > 0 ? 206 : 200,
          from > 0
            ? {
                'content-length': bytes.length - from,
                'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}`,
              }
            : { 'content-length': bytes.length },
        );
        let sent = from;
        const timer = setInterval(() => {
          if (response.destroyed || sent >= bytes.length) {
            clearInterval(timer);
            if (!response.destroyed) response.end();
            return;
          }
          response.write(bytes.subarray(sent, sent + chunk));
          sent += chunk;
        }, 100);
        response.on('close', () => clearInterval(timer));
        return;
      }
      case '/stall.bin':
        // Headers and a first chunk, then silence with the connection held open.
        response.writeHead(200, { 'content-length': bytes.length });
        response.write(bytes.subarray(0, 1024));
        return;
      case '/truncated.bin':
        if (truncated.has(url.search) || request.headers.range) {
          serveBytes(request, response, bytes);
          return;
        }
        truncated.add(url.search);
        response.writeHead(200, { 'content-length': bytes.length });
        response.write(bytes.subarray(0, bytes.length / 2), () => response.destroy());
        return;
      default:
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not found');
    }
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    abandoned,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
