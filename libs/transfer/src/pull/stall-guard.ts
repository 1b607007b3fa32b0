import { finished, Readable } from 'node:stream';

import { abortReason } from './pull-source-error';

export interface StallGuardOptions {
  readonly stallMs: number;
  /** The error the stream fails with when the source stays silent for `stallMs`. */
  readonly stalled: () => Error;
  /** Turns an error of the source into the one the reader sees. */
  readonly mapError: (error: unknown) => Error;
  readonly signal?: AbortSignal;
}

/**
 * Passes `source` through and fails with `stalled()` when the source sends nothing for `stallMs`
 * while the reader is waiting for bytes. The clock only runs while the reader asks for more, so a
 * slow disk downstream (back-pressure) never counts as a stalled source.
 */
export function guardStalls(source: Readable, options: StallGuardOptions): Readable {
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const arm = () => {
    stop();
    timer = setTimeout(() => guarded.destroy(options.stalled()), options.stallMs);
  };
  const onAbort = () => {
    if (options.signal !== undefined) guarded.destroy(abortReason(options.signal));
  };

  const guarded: Readable = new Readable({
    highWaterMark: source.readableHighWaterMark,
    read() {
      arm();
      source.resume();
    },
    destroy(error, callback) {
      stop();
      options.signal?.removeEventListener('abort', onAbort);
      source.destroy();
      callback(error);
    },
  });

  // Paused before the 'data' listener goes on, so nothing flows until the reader asks.
  source.pause();
  source.on('data', (chunk: Buffer) => {
    if (guarded.push(chunk)) arm();
    else {
      stop();
      source.pause();
    }
  });
  source.once('end', () => {
    stop();
    guarded.push(null);
  });
  finished(source, (error) => {
    if (error !== undefined && error !== null) guarded.destroy(options.mapError(error));
  });
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return guarded;
}
