import type { INestApplicationContext, LoggerService } from '@nestjs/common';

/** What is left of the grace period once requests still running are cut: for the rest to close. */
const CLOSING_RESERVE_SECONDS = 5;

/**
 * When requests still running are cut: five seconds before the grace ends, but never before half
 * of it has passed.
 */
export function interruptAfterMs(graceSeconds: number): number {
  return Math.max(graceSeconds - CLOSING_RESERVE_SECONDS, graceSeconds / 2) * 1000;
}

/**
 * SIGTERM/SIGINT: stop taking work, let in-flight requests and jobs finish, close pools, exit 0.
 * Requests still running near the end of the grace period (a slow upload) are cut by `interrupt`:
 * an upload keeps what it staged and is resumed with `Content-Range`, and the shutdown goes on
 * to exit 0. One that still outlives the grace period exits 1 rather than hang an orchestrator.
 */
export function closeOnSignals(
  app: INestApplicationContext,
  logger: LoggerService,
  graceSeconds: number,
  interrupt?: () => void,
): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: draining`, 'shutdown');
      if (interrupt) {
        setTimeout(() => {
          logger.warn(
            'requests still running are cut now; their uploads stay staged and resumable',
            'shutdown',
          );
          interrupt();
        }, interruptAfterMs(graceSeconds)).unref();
      }
      setTimeout(() => {
        logger.error(`shutdown took longer than ${graceSeconds}s; exiting`, undefined, 'shutdown');
        process.exit(1);
      }, graceSeconds * 1000).unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`shutdown failed: ${String(error)}`, undefined, 'shutdown');
          process.exit(1);
        },
      );
    });
  }
}
