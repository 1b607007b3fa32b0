import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written on behalf of a request or a job carries. */
export interface LogContext {
  readonly correlationId: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/**
 * Runs `work` with `context` in force for everything it calls, awaits and schedules, so log lines
 * name their request or job without passing ids around (STYLE §8).
 */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/** The context in force, if a request or job is being served. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
