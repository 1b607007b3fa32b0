import type { LogLevel as NestLogLevel } from '@nestjs/common';
import { ConsoleLogger } from '@nestjs/common';

import type { LogLevel } from './app-config';

const ORDER: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const NEST_LEVEL: Record<Exclude<LogLevel, 'silent'>, NestLogLevel> = {
  trace: 'verbose',
  debug: 'debug',
  info: 'log',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/** Structured JSON lines at and above LOG_LEVEL, for log shippers rather than eyes. */
export function createLogger(level: LogLevel): ConsoleLogger {
  const enabled =
    level === 'silent'
      ? []
      : ORDER.slice(ORDER.indexOf(level)).map(
          (name) => NEST_LEVEL[name as Exclude<LogLevel, 'silent'>],
        );
  return new ConsoleLogger({ json: true, logLevels: enabled });
}
