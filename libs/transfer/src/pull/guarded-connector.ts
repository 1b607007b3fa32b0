import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { Socket } from 'node:net';
import { connect as connectTcp, isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { connect as connectTls, rootCertificates } from 'node:tls';

import type { buildConnector } from 'undici';

import type { OutboundPolicy } from './outbound-policy';
import {
  abortReason,
  inSeconds,
  isError,
  PullSourceError,
  systemErrorCode,
} from './pull-source-error';

export interface GuardedConnectorOptions {
  readonly policy: OutboundPolicy;
  /** Budget for name resolution, TCP and the TLS handshake together. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Extra trust anchors (PEM) on top of Node's default CAs. */
  readonly caCertificates?: readonly string[];
}

/** Lookup answers that mean the name does not exist, as opposed to a resolver that failed. */
const NAME_NOT_FOUND: readonly string[] = ['ENOTFOUND', 'ENODATA'];

function hostAndPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Resolves once `socket` emits `readyEvent`; destroys it on error or abort. */
function ready<T extends Socket>(socket: T, readyEvent: string, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanup = () => {
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onReady = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(abortReason(signal));
    };
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The addresses of `host` that the policy lets us reach. Every answer is checked. We then connect
 * only to an allowed one, so a refused address among the answers is merely skipped: the socket
 * goes to the exact address that was checked, so the name cannot be re-resolved (DNS rebinding)
 * to somewhere else in between. When no answer is allowed the first one is reported.
 */
export async function resolveAllowedAddresses(
  policy: OutboundPolicy,
  host: string,
): Promise<string[]> {
  if (isIP(host) !== 0) {
    policy.check(host);
    return [host];
  }
  let answers: LookupAddress[];
  try {
    answers = await lookup(host, { all: true });
  } catch (error) {
    const code = systemErrorCode(error);
    if (code !== undefined && NAME_NOT_FOUND.includes(code)) {
      throw new PullSourceError(`Host ${host} was not found.`, {
        permanent: true,
        code: 'HOST_NOT_FOUND',
        cause: error,
      });
    }
    throw new PullSourceError(`Host ${host} could not be resolved (${code ?? 'lookup failed'}).`, {
      permanent: false,
      code: 'HOST_LOOKUP_FAILED',
      cause: error,
    });
  }
  const allowed = answers.map(({ address }) => address).filter((address) => policy.allows(address));
  if (allowed.length > 0) return allowed;
  const [first] = answers;
  if (first !== undefined) policy.check(first.address, host);
  throw new PullSourceError(`Host ${host} was not found.`, {
    permanent: true,
    code: 'HOST_NOT_FOUND',
  });
}

async function connectToFirst(
  host: string,
  addresses: readonly string[],
  port: number,
  signal: AbortSignal,
): Promise<Socket> {
  let lastError: unknown;
  for (const address of addresses) {
    try {
      return await ready(connectTcp({ host: address, port }), 'connect', signal);
    } catch (error) {
      if (signal.aborted) throw error;
      lastError = error;
    }
  }
  throw new PullSourceError(
    `Could not connect to ${hostAndPort(host, port)} (${systemErrorCode(lastError) ?? 'connection failed'}).`,
    { permanent: false, code: 'CONNECT_FAILED', cause: lastError },
  );
}

async function startTls(
  socket: Socket,
  host: string,
  port: number,
  caCertificates: readonly string[] | undefined,
  signal: AbortSignal,
): Promise<TLSSocket> {
  const tlsSocket = connectTls({
    socket,
    // RFC 6066 forbids IP addresses as server names.
    servername: isIP(host) === 0 ? host : undefined,
    // The certificate is judged after the handshake (inspectPeerCertificate), so a bad one can
    // become a warning or be accepted by its pinned thumbprint instead of failing here.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
    ca: caCertificates === undefined ? undefined : [...rootCertificates, ...caCertificates],
    ALPNProtocols: ['http/1.1'],
  });
  try {
    return await ready(tlsSocket, 'secureConnect', signal);
  } catch (error) {
    if (signal.aborted) throw error;
    const code = systemErrorCode(error);
    throw new PullSourceError(
      `Could not start TLS with ${hostAndPort(host, port)} (${code ?? 'handshake failed'}).`,
      // A protocol mismatch (plain HTTP on an https URL) will not heal; a reset might.
      { permanent: code?.startsWith('ERR_SSL_') ?? false, code: 'CONNECT_FAILED', cause: error },
    );
  }
}

async function establish(
  target: buildConnector.Options,
  options: GuardedConnectorOptions,
): Promise<Socket> {
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = target.protocol === 'https:';
  const port = Number(target.port) || (secure ? 443 : 80);
  options.policy.checkPort(port, host);
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(), options.timeoutMs);
  const cancel = () => attempt.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', cancel, { once: true });
  if (options.signal?.aborted) cancel();
  try {
    const addresses = await untilAborted(
      resolveAllowedAddresses(options.policy, host),
      attempt.signal,
    );
    const socket = await connectToFirst(host, addresses, port, attempt.signal);
    if (!secure) return socket;
    return await startTls(socket, host, port, options.caCertificates, attempt.signal);
  } catch (error) {
    if (options.signal?.aborted) throw abortReason(options.signal);
    if (attempt.signal.aborted) {
      throw new PullSourceError(
        `Connecting to ${hostAndPort(host, port)} timed out after ${inSeconds(options.timeoutMs)}.`,
        { permanent: false, code: 'CONNECT_TIMEOUT' },
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
}

/**
 * An undici connector that reaches only addresses the policy allows. It resolves the host itself
 * and connects to the checked IP, so every connection, including each redirect hop, is guarded.
 * TLS sockets come back unverified; the caller inspects the certificate.
 */
export function createGuardedConnector(options: GuardedConnectorOptions): buildConnector.connector {
  return (target, callback) => {
    establish(target, options).then(
      (socket) => callback(null, socket),
      (error: unknown) => callback(isError(error) ? error : new Error('Connection failed.'), null),
    );
  };
}
