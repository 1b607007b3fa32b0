import type { DatastoreMapping } from './file-pull-source';
import { openFileSource } from './file-pull-source';
import { openHttpSource } from './http-pull-source';
import type { OpenedSource } from './opened-source';
import type { OutboundPolicy } from './outbound-policy';
import { PullSourceError } from './pull-source-error';

// The shared shapes live in their own files so the sources can use them without importing this
// dispatcher back (the circular-import check counts type imports too).
export type { DatastoreMapping } from './file-pull-source';
export type { CertificateWarning, CertificateWarningType, OpenedSource } from './opened-source';
export { normalizeThumbprint } from './certificate-thumbprint';

export interface PullSourceOptions {
  readonly uri: string;
  /** `ssl_certificate_thumbprint` of the file, for https sources. */
  readonly thumbprint?: string;
  /** Bytes already staged for the file. */
  readonly offset: number;
  readonly policy: OutboundPolicy;
  readonly importRoots: readonly string[];
  readonly datastores: readonly DatastoreMapping[];
  /** How long an http(s) source may send nothing before the transfer fails (transiently). */
  readonly stallMs: number;
  /** Connect budget of an http(s) source; `DEFAULT_CONNECT_TIMEOUT_MS` when absent. */
  readonly connectTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Extra trust anchors (PEM) for https sources, on top of Node's default CAs. */
  readonly caCertificates?: readonly string[];
  /** Where proxy settings are read from; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
}

function parseUri(uri: string): URL {
  try {
    return new URL(uri);
  } catch {
    // The text itself stays out of the message: it may hold credentials.
    throw new PullSourceError('The source URI is not a valid absolute URL.', {
      permanent: true,
      code: 'INVALID_URI',
    });
  }
}

/**
 * Opens the byte stream of a PULL source (http, https, file or ds) for the worker that stages it.
 * Rejects with a `PullSourceError` (or the abort reason when `signal` fires).
 */
export async function openPullSource(options: PullSourceOptions): Promise<OpenedSource> {
  const url = parseUri(options.uri);
  options.policy.checkScheme(url);
  if (url.protocol === 'file:' || url.protocol === 'ds:') {
    return openFileSource({
      url,
      importRoots: options.importRoots,
      datastores: options.datastores,
      offset: options.offset,
      signal: options.signal,
    });
  }
  return openHttpSource({
    url,
    offset: options.offset,
    policy: options.policy,
    stallMs: options.stallMs,
    thumbprint: options.thumbprint,
    connectTimeoutMs: options.connectTimeoutMs,
    signal: options.signal,
    caCertificates: options.caCertificates,
    env: options.env,
  });
}
