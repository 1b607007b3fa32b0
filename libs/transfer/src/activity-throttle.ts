/** At most one write per this long, and several per timeout however short the timeout. */
const ACTIVITY_INTERVAL_MS = 5_000;
const WRITES_PER_TIMEOUT = 4;

/**
 * Data-plane activity (§7.1, §7.3) moves a session's deadline on every chunk in principle; in
 * practice `write` runs at most once per interval, one at a time, best effort (a failed refresh
 * must not fail the transfer). `flush` writes once more, for the end of a transfer.
 */
export function throttledActivity(
  timeoutSeconds: number,
  write: (now: Date) => Promise<void>,
  options: { readonly deadline?: Date } = {},
): { touch(): void; flush(): Promise<void> } {
  const interval = Math.min(ACTIVITY_INTERVAL_MS, (timeoutSeconds * 1000) / WRITES_PER_TIMEOUT);
  // The first write is due at once, unless the deadline is known to be further off than the
  // interval: then a transfer shorter than that writes nothing.
  const started = Date.now();
  let last =
    options.deadline !== undefined && options.deadline.getTime() - started > 2 * interval
      ? started
      : 0;
  let pending: Promise<void> = Promise.resolve();
  const enqueue = (now: number): Promise<void> => {
    pending = pending.then(() => write(new Date(now))).catch(() => undefined);
    return pending;
  };
  return {
    touch() {
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      void enqueue(now);
    },
    flush: () => enqueue(Date.now()),
  };
}
