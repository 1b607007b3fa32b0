import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until `accept` holds, with a deadline (STYLE §9: never a bare sleep). Resolves with
 * the accepted value; on timeout rejects naming the last value seen.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `${options.what ?? 'condition'} not reached in time; last value: ${JSON.stringify(value)}`,
      );
    }
    await sleep(options.intervalMs ?? 100);
  }
}
