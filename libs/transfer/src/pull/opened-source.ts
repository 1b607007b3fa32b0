import type { Readable } from 'node:stream';

import type { WarningType } from '@cls/domain';

export type CertificateWarningType = WarningType;

/**
 * A certificate we could not verify and went ahead with because no thumbprint was pinned. The
 * caller records it on the file; the message names both thumbprints so the user can pin one.
 */
export interface CertificateWarning {
  readonly type: CertificateWarningType;
  readonly message: string;
}

/** A readable PULL source, positioned where the worker should continue staging. */
export interface OpenedSource {
  readonly body: Readable;
  /**
   * The byte offset `body` starts at: the requested offset, or 0 when the source cannot resume
   * and the caller must restart the staged file from scratch.
   */
  readonly resumedFrom: number;
  /** Size of the whole file, when the source says so. */
  readonly totalSize?: number;
  readonly warnings: readonly CertificateWarning[];
}

/**
 * Readies a source's body for a reader that may start late (staging first re-reads the bytes
 * staged before a resume). An error the body meets meanwhile (an abort, the server closing it
 * short) stays on the stream, where `pipeline` and async iteration find it, rather than being
 * thrown at the process as an 'error' event nobody listens to.
 */
export function forLateReader(body: Readable): Readable {
  body.on('error', () => undefined);
  return body;
}
