import type { LoggerService } from '@nestjs/common';
import type { DestinationStream, Logger as Pino } from 'pino';
import { pino } from 'pino';

import type { LogLevel } from '@cls/config';

import { currentLogContext } from './log-context';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Nest's logger calls, as pino JSON lines: `level`, `time`, `msg`, the Nest `context`, and the
 * correlation id of the request or job in force. Nest passes the context as the last string
 * argument, and `error` a stack before it.
 */
class PinoLoggerService implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const last = params.at(-1);
    const context = params.length > 0 && typeof last === 'string' ? last : undefined;
    const rest = context === undefined ? params : params.slice(0, -1);
    const stack = rest.find((param): param is string => typeof param === 'string');
    const fields: Record<string, unknown> = {
      ...(context === undefined ? {} : { context }),
      ...(stack === undefined ? {} : { stack }),
    };
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (isRecord(message)) {
      const { msg, ...more } = message;
      this.pino[level]({ ...fields, ...more }, typeof msg === 'string' ? msg : '');
    } else this.pino[level](fields, String(message));
  }
}

/** A data-plane URL carries its bearer token in the path (`/cls/data/<token>/<name>`). */
const DATA_PLANE_TOKEN = /(\/cls\/data\/)[0-9A-Za-z_-]+/g;

/** A log line with every data-plane token replaced, wherever it appears (message, stack, fields). */
export const redactSecrets = (line: string): string =>
  line.replace(DATA_PLANE_TOKEN, '$1<redacted>');

/**
 * JSON lines (on stdout unless told otherwise) at and above LOG_LEVEL, for log shippers rather
 * than eyes. Every line passes one redaction on its way out, so no data-plane token reaches a log
 * whatever logged it.
 */
export function createLogger(
  level: LogLevel,
  name: 'api' | 'worker',
  destination: DestinationStream = pino.destination(1),
): LoggerService {
  return new PinoLoggerService(
    pino(
      {
        name,
        level,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        mixin: () => currentLogContext() ?? {},
      },
      { write: (line: string) => destination.write(redactSecrets(line)) },
    ),
  );
}
