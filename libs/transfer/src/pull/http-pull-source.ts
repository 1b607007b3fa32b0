import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { rootCertificates, TLSSocket } from 'node:tls';

import type { buildConnector, Dispatcher } from 'undici';
import { Agent, EnvHttpProxyAgent, Pool } from 'undici';

import { readContentRange } from '../byte-ranges';
import { inspectPeerCertificate } from './certificate-check';
import { normalizeThumbprint } from './certificate-thumbprint';
import { createGuardedConnector, resolveAllowedAddresses } from './guarded-connector';
import type { CertificateWarning, OpenedSource } from './opened-source';
import { forLateReader } from './opened-source';
import type { OutboundPolicy } from './outbound-policy';
import {
  abortReason,
  describeUrl,
  inSeconds,
  isError,
  PullSourceError,
  systemErrorCode,
} from './pull-source-error';
import { guardStalls } from './stall-guard';

export interface HttpSourceOptions {
  readonly url: URL;
  /** SHA-1 or SHA-256 thumbprint the server certificate must have (any case, colons optional). */
  readonly thumbprint?: string;
  /** Bytes already staged; asked for with `Range` when > 0. */
  readonly offset: number;
  readonly policy: OutboundPolicy;
  /** How long the source may stay silent (before headers and between body bytes). */
  readonly stallMs: number;
  /** Budget for resolving, connecting and the TLS handshake of one connection. */
  readonly connectTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Extra trust anchors (PEM) on top of Node's default CAs. */
  readonly caCertificates?: readonly string[];
  /** Where HTTP(S)_PROXY and NO_PROXY are read from; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const HTTP_SCHEMES: readonly string[] = ['http:', 'https:'];
/** Argument errors are our bug or a URL undici cannot express; retrying will not help. */
const PERMANENT_CLIENT_CODES: readonly string[] = ['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED'];

interface ProxySettings {
  readonly http: string;
  readonly https: string;
  readonly noProxy: string;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function pinnedThumbprint(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const pinned = normalizeThumbprint(text);
  if (pinned !== undefined) return pinned;
  throw new PullSourceError(
    'The certificate thumbprint is neither a SHA-1 nor a SHA-256 thumbprint (40 or 64 hex digits).',
    { permanent: true, code: 'INVALID_THUMBPRINT' },
  );
}

/**
 * Proxy settings from the environment, or `undefined` when no proxy is configured. Empty strings
 * (never `undefined`) go to undici, so it cannot fall back to `process.env` behind our back.
 */
function proxySettings(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const read = (name: string) => env[name.toLowerCase()] ?? env[name] ?? '';
  const settings = {
    http: read('HTTP_PROXY'),
    https: read('HTTPS_PROXY'),
    noProxy: read('NO_PROXY'),
  };
  return settings.http === '' && settings.https === '' ? undefined : settings;
}

/** Wraps a connector so that every TLS socket it hands out has had its certificate judged. */
function checkingCertificates(
  connect: buildConnector.connector,
  pinned: string | undefined,
  warnings: CertificateWarning[],
): buildConnector.connector {
  return (target, callback) => {
    connect(target, (...[error, socket]: Parameters<buildConnector.Callback>) => {
      if (error !== null) return callback(error, null);
      if (!(socket instanceof TLSSocket)) return callback(null, socket);
      try {
        const warning = inspectPeerCertificate(
          socket,
          target.hostname.replace(/^\[(.*)\]$/, '$1'),
          pinned,
        );
        if (warning !== undefined && !warnings.some((w) => w.message === warning.message)) {
          warnings.push(warning);
        }
        callback(null, socket);
      } catch (failure) {
        socket.destroy();
        callback(isError(failure) ? failure : new Error('Certificate check failed.'), null);
      }
    });
  };
}

/**
 * One dispatcher per opened source, so the certificate warnings and the abort signal belong to
 * this transfer alone. Every pool it creates judges TLS certificates, whichever way it connects.
 */
function createDispatcher(
  options: HttpSourceOptions,
  pinned: string | undefined,
  warnings: CertificateWarning[],
  proxy: ProxySettings | undefined,
): Dispatcher {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const connect = createGuardedConnector({
    policy: options.policy,
    timeoutMs,
    signal: options.signal,
    caCertificates: options.caCertificates,
  });
  const factory = (origin: string | URL, poolOptions: object): Dispatcher => {
    const { connect: poolConnect } = poolOptions as { connect?: unknown };
    if (typeof poolConnect !== 'function') {
      throw new Error('Pools must connect through a connector function.');
    }
    return new Pool(origin, {
      ...poolOptions,
      connect: checkingCertificates(poolConnect as buildConnector.connector, pinned, warnings),
    });
  };
  const common = { connect, factory, headersTimeout: options.stallMs, bodyTimeout: 0 };
  if (proxy === undefined) return new Agent(common);
  // Hosts under NO_PROXY still go through the guarded connector. Through a proxy, the proxy
  // resolves the name again and connects wherever it likes: we check the addresses we resolve
  // before each request, but cannot pin the proxy to them. Its certificate is still judged.
  return new EnvHttpProxyAgent({
    ...common,
    httpProxy: proxy.http,
    httpsProxy: proxy.https,
    noProxy: proxy.noProxy,
    requestTls: {
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      timeout: timeoutMs,
      ...(options.caCertificates === undefined
        ? {}
        : { ca: [...rootCertificates, ...options.caCertificates] }),
    },
    proxyTls: { timeout: timeoutMs },
  });
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function requestHeaders(url: URL, origin: URL, offset: number): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': 'cls-engine',
    accept: '*/*',
    // Offsets count stored bytes, so the representation must never be re-encoded.
    'accept-encoding': 'identity',
  };
  if (offset > 0) headers['range'] = `bytes=${offset}-`;
  // Credentials from the URL go to its own origin only, never to where it redirects.
  const credentials = url.username !== '' ? url : url.origin === origin.origin ? origin : undefined;
  if (credentials !== undefined && credentials.username !== '') {
    const pair = `${decodeLoosely(credentials.username)}:${decodeLoosely(credentials.password)}`;
    headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  return headers;
}

function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function statusLine(response: Dispatcher.ResponseData): string {
  const text = response.statusText || STATUS_CODES[response.statusCode] || '';
  return `${response.statusCode} ${text}`.trim();
}

function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function contentLength(response: Dispatcher.ResponseData): number | undefined {
  const text = header(response, 'content-length');
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

function nextHop(
  current: URL,
  response: Dispatcher.ResponseData,
  pinned: string | undefined,
  policy: OutboundPolicy,
): URL {
  const location = header(response, 'location');
  let next: URL | undefined;
  try {
    next = location === undefined ? undefined : new URL(location, current);
  } catch {
    next = undefined;
  }
  if (next === undefined) {
    throw new PullSourceError(
      `Source ${describeUrl(current)} answered ${statusLine(response)} without a valid Location.`,
      { permanent: true, code: 'BAD_REDIRECT' },
    );
  }
  policy.checkScheme(next);
  if (!HTTP_SCHEMES.includes(next.protocol)) {
    throw new PullSourceError(
      `Source ${describeUrl(current)} redirected to a ${next.protocol} URL; only http and https redirects are followed.`,
      { permanent: true, code: 'BAD_REDIRECT' },
    );
  }
  if (pinned !== undefined && current.protocol === 'https:' && next.protocol === 'http:') {
    throw new PullSourceError(
      `Source ${describeUrl(current)} redirected to plain http, which would bypass the pinned certificate thumbprint.`,
      { permanent: true, code: 'BAD_REDIRECT' },
    );
  }
  return next;
}

function statusError(url: URL, response: Dispatcher.ResponseData): PullSourceError {
  const status = response.statusCode;
  const transient = status === 408 || status === 429 || status >= 500;
  return new PullSourceError(`Source ${describeUrl(url)} answered ${statusLine(response)}.`, {
    permanent: !transient,
    code: 'HTTP_STATUS',
  });
}

function toSourceError(error: unknown, url: URL, options: HttpSourceOptions): Error {
  if (options.signal?.aborted) return abortReason(options.signal);
  if (error instanceof PullSourceError) return error;
  const code = systemErrorCode(error);
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new PullSourceError(
      `No response from ${describeUrl(url)} for ${inSeconds(options.stallMs)}.`,
      { permanent: false, code: 'NO_RESPONSE', cause: error },
    );
  }
  if (code === 'ENOTFOUND') {
    return new PullSourceError(`Host ${hostOf(url)} was not found.`, {
      permanent: true,
      code: 'HOST_NOT_FOUND',
      cause: error,
    });
  }
  const detail = code ?? (isError(error) ? error.message : 'unknown error');
  return new PullSourceError(`Reading from ${describeUrl(url)} failed (${detail}).`, {
    permanent: code !== undefined && PERMANENT_CLIENT_CODES.includes(code),
    code: 'NETWORK',
    cause: error,
  });
}

/** GETs `options.url`, following redirects; every hop connects through the guarded connector. */
async function fetchFollowingRedirects(
  dispatcher: Dispatcher,
  options: HttpSourceOptions,
  pinned: string | undefined,
  proxied: boolean,
): Promise<{ url: URL; response: Dispatcher.ResponseData }> {
  const visited = new Set<string>();
  for (let url = options.url, redirects = 0; ; redirects += 1) {
    visited.add(url.href);
    try {
      if (proxied) await resolveAllowedAddresses(options.policy, hostOf(url));
      const response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: requestHeaders(url, options.url, options.offset),
        signal: options.signal ?? null,
      });
      if (!REDIRECT_STATUSES.has(response.statusCode)) return { url, response };
      discard(response.body);
      const next = nextHop(url, response, pinned, options.policy);
      if (visited.has(next.href)) {
        throw new PullSourceError(`Source ${describeUrl(options.url)} redirects in a loop.`, {
          permanent: true,
          code: 'REDIRECT_LOOP',
        });
      }
      if (redirects === MAX_REDIRECTS) {
        throw new PullSourceError(
          `Source ${describeUrl(options.url)} redirected more than ${MAX_REDIRECTS} times.`,
          { permanent: true, code: 'TOO_MANY_REDIRECTS' },
        );
      }
      url = next;
    } catch (error) {
      throw toSourceError(error, url, options);
    }
  }
}

function emptyBody(): Readable {
  return Readable.from([]);
}

/**
 * Opens an http(s) PULL source at `options.offset`. Connections reach only addresses the policy
 * allows, certificates are judged by `inspectPeerCertificate`, and the body fails with a
 * transient `PullSourceError` when the server goes quiet for `stallMs`. Aborting `signal` rejects
 * (or destroys the body) with the signal's reason. Failures are `PullSourceError`s whose
 * `permanent` says whether retrying can help.
 */
export async function openHttpSource(options: HttpSourceOptions): Promise<OpenedSource> {
  if (!HTTP_SCHEMES.includes(options.url.protocol)) {
    throw new PullSourceError(`${describeUrl(options.url)} is not an http or https URL.`, {
      permanent: true,
      code: 'UNSUPPORTED_SCHEME',
    });
  }
  const pinned = pinnedThumbprint(options.thumbprint);
  options.signal?.throwIfAborted();
  const warnings: CertificateWarning[] = [];
  const proxy = proxySettings(options.env ?? process.env);
  const dispatcher = createDispatcher(options, pinned, warnings, proxy);
  const release = () => void dispatcher.destroy().catch(() => undefined);
  try {
    const { url, response } = await fetchFollowingRedirects(
      dispatcher,
      options,
      pinned,
      proxy !== undefined,
    );
    const { offset } = options;
    const range = readContentRange(header(response, 'content-range'));
    let resumedFrom: number;
    let totalSize: number | undefined;
    if (response.statusCode === 416 && offset > 0) {
      discard(response.body);
      // The staged file already holds every byte, or the source shrank underneath us.
      if (range?.total !== offset) {
        throw new PullSourceError(
          `Source ${describeUrl(url)} has no bytes from offset ${offset}` +
            (range?.total === undefined ? '.' : ` (it holds ${range.total} bytes).`),
          { permanent: true, code: 'BAD_RANGE' },
        );
      }
      release();
      return { body: emptyBody(), resumedFrom: offset, totalSize: offset, warnings: [...warnings] };
    }
    if (response.statusCode < 200 || response.statusCode > 299) {
      discard(response.body);
      throw statusError(url, response);
    }
    if (response.statusCode === 206) {
      if (range?.first !== offset) {
        discard(response.body);
        throw new PullSourceError(
          `Source ${describeUrl(url)} answered a range that does not start at byte ${offset}.`,
          { permanent: true, code: 'BAD_RANGE' },
        );
      }
      resumedFrom = offset;
      totalSize = range.total;
    } else {
      // A 200 to a Range request: the server ignored it and sends everything.
      resumedFrom = 0;
      totalSize = contentLength(response);
    }
    const body = forLateReader(
      guardStalls(response.body, {
        stallMs: options.stallMs,
        stalled: () =>
          new PullSourceError(
            `No bytes from ${describeUrl(url)} for ${inSeconds(options.stallMs)}.`,
            {
              permanent: false,
              code: 'STALLED',
            },
          ),
        mapError: (error) => toSourceError(error, url, options),
        signal: options.signal,
      }),
    );
    body.once('close', release);
    return {
      body,
      resumedFrom,
      ...(totalSize === undefined ? {} : { totalSize }),
      warnings: [...warnings],
    };
  } catch (error) {
    release();
    throw error instanceof PullSourceError ? error : toSourceError(error, options.url, options);
  }
}
