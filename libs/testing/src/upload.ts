import type { ClientRequest } from 'node:http';
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
 * A PUT of `declaredLength` bytes on a connection of its own, its body written by the caller:
 * `answer` settles with the status, or with `'cut'` when the connection ends first.
 */
function rawPut(
  uri: string,
  declaredLength: number,
  headers: Record<string, string> = {},
): { outgoing: ClientRequest; answer: Promise<number | 'cut'> } {
  const url = new URL(uri);
  let outgoing!: ClientRequest;
  const answer = new Promise<number | 'cut'>((resolve) => {
    outgoing = request(
      {
        method: 'PUT',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { 'content-length': String(declaredLength), ...headers },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', () => resolve('cut'));
    // Destroyed by the caller before any answer: settles as cut, whether or not an error follows.
    outgoing.on('close', () => resolve('cut'));
  });
  return { outgoing, answer };
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
  const { outgoing, answer } = rawPut(uri, declaredLength, headers);
  outgoing.write(sent, () => setTimeout(() => outgoing.destroy(), 200));
  await answer;
}

/** Sends `sent` of `declaredLength` announced bytes, then nothing more, keeping the connection. */
export function stallingPut(
  uri: string,
  sent: Buffer,
  declaredLength: number,
): Promise<number | 'cut'> {
  const { outgoing, answer } = rawPut(uri, declaredLength);
  outgoing.write(sent);
  return answer;
}

/**
 * PUTs `bytes`, `chunk` bytes (64 KiB by default) every 100 ms, as a slow client would; resolves
 * with the status, or with `'cut'` when the server closes the connection first.
 */
export function tricklePut(uri: string, bytes: Buffer, chunk = 65_536): Promise<number | 'cut'> {
  const { outgoing, answer } = rawPut(uri, bytes.length);
  void (async () => {
    for (let sent = 0; sent < bytes.length && !outgoing.destroyed; sent += chunk) {
      outgoing.write(bytes.subarray(sent, sent + chunk));
      await sleep(100);
    }
    outgoing.end();
  })();
  return answer;
}
