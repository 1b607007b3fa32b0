import type { INestApplicationContext, LoggerService } from '@nestjs/common';

/**
 * SIGTERM/SIGINT: stop taking work, let in-flight requests and jobs finish, close pools, exit 0.
 * A shutdown that outlives the grace period exits 1 rather than hang an orchestrator.
 */
export function closeOnSignals(
  app: INestApplicationContext,
  logger: LoggerService,
  graceSeconds: number,
): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: draining`, 'shutdown');
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
