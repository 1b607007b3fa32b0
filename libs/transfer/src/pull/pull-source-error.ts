/** Why opening or reading a PULL source failed, for the worker's retry decision and for logs. */
export type PullSourceErrorCode =
  | 'INVALID_URI'
  | 'UNSUPPORTED_SCHEME'
  | 'ADDRESS_REFUSED'
  | 'HOST_NOT_FOUND'
  | 'HOST_LOOKUP_FAILED'
  | 'CONNECT_FAILED'
  | 'CONNECT_TIMEOUT'
  | 'CERTIFICATE_MISMATCH'
  | 'CERTIFICATE_MISSING'
  | 'INVALID_THUMBPRINT'
  | 'HTTP_STATUS'
  | 'BAD_REDIRECT'
  | 'REDIRECT_LOOP'
  | 'TOO_MANY_REDIRECTS'
  | 'BAD_RANGE'
  | 'NO_RESPONSE'
  | 'STALLED'
  | 'NETWORK'
  | 'PATH_OUTSIDE_ROOTS'
  | 'UNKNOWN_DATASTORE'
  | 'FILE_NOT_FOUND'
  | 'NOT_A_FILE'
  | 'FILE_UNREADABLE';

/**
 * A PULL source that cannot be read. `permanent` tells the worker whether another attempt can
 * help (STYLE §6: transient errors are retried, permanent ones fail the file). The message ends up
 * in the file's `error_message`, so it is written for the person who gave us the URL and never
 * carries URL credentials or query strings (they often hold tokens).
 */
export class PullSourceError extends Error {
  readonly permanent: boolean;
  readonly code?: PullSourceErrorCode;

  constructor(
    message: string,
    options: {
      readonly permanent: boolean;
      readonly code?: PullSourceErrorCode;
      readonly cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PullSourceError';
    this.permanent = options.permanent;
    if (options.code !== undefined) this.code = options.code;
  }
}

/** `scheme://host[:port]/path`: what a user needs to recognise the source, without secrets. */
export function describeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** A duration for a message: `0.3 s`, `30 s`. */
export function inSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Whether `value` is an Error. Duck-typed, because errors from Node internals and from other
 * realms (a test runner's sandbox, for one) fail `instanceof Error`.
 */
export function isError(value: unknown): value is Error {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** The `code` of a Node system error (`ECONNREFUSED`), or of the error that caused it. */
export function systemErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; isError(current) && depth < 4; depth += 1) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/** What an aborted transfer rejects with: the signal's reason, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return isError(reason) ? reason : new Error('The transfer was canceled.');
}
