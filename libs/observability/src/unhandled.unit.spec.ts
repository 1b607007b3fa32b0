import { EventEmitter } from 'node:events';

import type { LoggerService } from '@nestjs/common';

import { logConnectionErrors, logUnhandled } from './unhandled';

/** Every call a logger got: its level, its message (or fields) and its context. */
function recordingLogger(): { logger: LoggerService; lines: [string, unknown, unknown][] } {
  const lines: [string, unknown, unknown][] = [];
  const at =
    (level: string) =>
    (message: unknown, context?: unknown): void => {
      lines.push([level, message, context]);
    };
  return {
    lines,
    logger: { log: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') },
  };
}

describe('logUnhandled', () => {
  it("logs Node's warnings instead of its own stderr printer", () => {
    const target = new EventEmitter();
    const printer = jest.fn();
    target.on('warning', printer);
    const { logger, lines } = recordingLogger();
    logUnhandled(logger, target, jest.fn());

    const warning = new Error('Possible EventEmitter memory leak detected');
    warning.name = 'MaxListenersExceededWarning';
    target.emit('warning', warning);

    expect(printer).not.toHaveBeenCalled();
    expect(lines).toEqual([
      [
        'warn',
        expect.objectContaining({
          msg: 'MaxListenersExceededWarning: Possible EventEmitter memory leak detected',
        }),
        'process',
      ],
    ]);
  });

  it('logs a rejection nobody awaited and goes on; exits 1 after logging an uncaught exception', () => {
    const target = new EventEmitter();
    const exit = jest.fn();
    const { logger, lines } = recordingLogger();
    logUnhandled(logger, target, exit);

    target.emit('unhandledRejection', new Error('lost promise'));
    expect(lines).toEqual([
      ['error', expect.objectContaining({ msg: 'unhandled rejection: lost promise' }), 'process'],
    ]);
    expect(exit).not.toHaveBeenCalled();

    target.emit('uncaughtException', new Error('thrown from a socket handler'));
    expect(lines[1]).toEqual([
      'fatal',
      expect.objectContaining({
        msg: 'uncaught exception, exiting: thrown from a socket handler',
        stack: expect.stringContaining('thrown from a socket handler'),
      }),
      'process',
    ]);
    expect(exit).toHaveBeenCalledWith(1);
  });
});

describe('logConnectionErrors', () => {
  it('logs the first error at once, then one report per 30 s with the count held back, and the recovery', () => {
    const client = new EventEmitter();
    const { logger, lines } = recordingLogger();
    let now = 1_000_000;
    logConnectionErrors(client, logger, 'redis', () => now);

    client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    for (let second = 1; second < 30; second += 1) {
      now += 1_000;
      client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    }
    now += 1_000;
    client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    client.emit('ready');
    client.emit('ready');

    expect(lines).toEqual([
      ['warn', 'redis: connect ECONNREFUSED 127.0.0.1:6379', 'connection'],
      [
        'warn',
        'redis: connect ECONNREFUSED 127.0.0.1:6379 (29 more since the last report)',
        'connection',
      ],
      ['info', 'redis: connected again', 'connection'],
    ]);
  });
});
