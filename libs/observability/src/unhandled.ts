import type { EventEmitter } from 'node:events';

import type { LoggerService } from '@nestjs/common';

const describe = (value: unknown): { message: string; stack?: string } =>
  value instanceof Error
    ? { message: value.message, ...(value.stack === undefined ? {} : { stack: value.stack }) }
    : { message: String(value) };

/**
 * What nobody else handled, as JSON lines like every other log line. Node's warnings are logged
 * (in place of its own stderr text). A rejection nobody awaited is logged as an error and the
 * process goes on: the work it belonged to has already failed, and whoever started it had nothing
 * to wait for. An exception thrown out of an event handler leaves the process in a state nobody
 * knows, so it is logged as fatal and the process exits 1, for its supervisor to start it again.
 */
export function logUnhandled(
  logger: LoggerService,
  target: EventEmitter = process,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  // Node prints warnings through a listener of its own; this one replaces it.
  target.removeAllListeners('warning');
  target.on('warning', (warning: Error) => {
    logger.warn({ msg: `${warning.name}: ${warning.message}`, stack: warning.stack }, 'process');
  });
  target.on('unhandledRejection', (reason: unknown) => {
    const { message, stack } = describe(reason);
    logger.error({ msg: `unhandled rejection: ${message}`, stack }, 'process');
  });
  target.on('uncaughtException', (error: unknown) => {
    const { message, stack } = describe(error);
    logger.fatal?.({ msg: `uncaught exception, exiting: ${message}`, stack }, 'process');
    exit(1);
  });
}

/** How often a connection that keeps failing may log again. */
const REPEAT_AFTER_MS = 30_000;

/**
 * Logs a client's connection errors (ioredis, BullMQ) as JSON warnings: the first at once, then
 * at most one every 30 s with the number held back, and its recovery; a client with no 'error'
 * listener would print its own multi-line text instead (or, for a bare EventEmitter, throw).
 */
export function logConnectionErrors(
  client: EventEmitter,
  logger: LoggerService,
  name: string,
  now: () => number = Date.now,
): void {
  let failing = false;
  let lastLogged = 0;
  let heldBack = 0;
  client.on('error', (error: unknown) => {
    const at = now();
    if (failing && at - lastLogged < REPEAT_AFTER_MS) {
      heldBack += 1;
      return;
    }
    const again = heldBack > 0 ? ` (${heldBack} more since the last report)` : '';
    logger.warn(`${name}: ${describe(error).message}${again}`, 'connection');
    failing = true;
    lastLogged = at;
    heldBack = 0;
  });
  client.on('ready', () => {
    if (!failing) return;
    failing = false;
    heldBack = 0;
    logger.log(`${name}: connected again`, 'connection');
  });
}
