import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface UploadResult {
  readonly status: number;
  readonly body: string;
}

/** Sends raw bytes to a data-plane URL, as govc (PUT) or the Python SDK (POST) would. */
export async function upload(
  uri: string,
  body: Buffer,
  options: { method?: 'PUT' | 'POST'; headers?: Record<string, string> } = {},
): Promise<UploadResult> {
  const response = await fetch(uri, {
    method: options.method ?? 'PUT',
    headers: { 'content-type': 'application/octet-stream', ...options.headers },
    body,
  });
  return { status: response.status, body: await response.text() };
}

/** PUTs `total` bytes in ten writes a second over `seconds`, as a slow client would. */
export function slowUpload(uri: string, total: number, seconds: number): Promise<number | 'cut'> {
  return tricklePut(uri, Buffer.alloc(total, 1), Math.ceil(total / (seconds * 10)));
}

/**
 * Starts an upload that declares `declaredLength` bytes, sends only `sent` of them and then drops
 * the connection: what a client losing its network does.
 */
export async function dropMidUpload(
  uri: string,
  sent: Buffer,
  declaredLength: number,
  headers: Record<string, string> = {},
): Promise<void> {
  const url = new URL(uri);
  await new Promise<void>((resolve) => {
    const outgoing = request(
      {
        method: 'PUT',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { 'content-length': String(declaredLength), ...headers },
      },
      () => resolve(),
    );
    outgoing.on('error', () => resolve());
    outgoing.write(sent, () =>
      setTimeout(() => {
        outgoing.destroy();
        resolve();
      }, 200),
    );
  });
}

/**
 * PUTs `bytes`, `chunk` bytes (64 KiB by default) every 100 ms, as a slow client would; resolves
 * with the status, or with `'cut'` when the server closes the connection first.
 */
export function tricklePut(uri: string, bytes: Buffer, chunk = 65_536): Promise<number | 'cut'> {
  const url = new URL(uri);
  return new Promise((resolve) => {
    const outgoing = request(
      {
        method: 'PUT',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { 'content-length': String(bytes.length) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', () => resolve('cut'));
    void (async () => {
      for (let sent = 0; sent < bytes.length && !outgoing.destroyed; sent += chunk) {
        outgoing.write(bytes.subarray(sent, sent + chunk));
        await sleep(100);
      }
      outgoing.end();
    })();
  });
}
