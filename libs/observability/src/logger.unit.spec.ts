import type { LoggerService } from '@nestjs/common';

import { withLogContext } from './log-context';
import { createLogger } from './logger';

function capture(level: Parameters<typeof createLogger>[0]): {
  logger: LoggerService;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(level, 'api', {
    write: (text: string) => {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    },
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level, time, msg and the Nest context', () => {
    const { logger, lines } = capture('info');
    logger.log('listening', 'bootstrap');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'listening',
        context: 'bootstrap',
        name: 'api',
      }),
    ]);
    expect(Date.parse(String(lines[0]!.time))).not.toBeNaN();
  });

  it('adds the correlation id in force, and none outside a request or job', async () => {
    const { logger, lines } = capture('info');
    await withLogContext({ correlationId: 'req-1' }, async () => {
      await Promise.resolve();
      logger.warn('inside', 'jobs');
    });
    logger.warn('outside', 'jobs');
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'inside', correlationId: 'req-1' });
    expect(lines[1]).not.toHaveProperty('correlationId');
  });

  it('keeps a stack passed to error apart from the context', () => {
    const { logger, lines } = capture('info');
    logger.error('boom', 'Error: boom\n    at x', 'shutdown');
    logger.error('plain', undefined, 'shutdown');
    expect(lines[0]).toMatchObject({
      level: 'error',
      stack: 'Error: boom\n    at x',
      context: 'shutdown',
    });
    expect(lines[1]).toMatchObject({ msg: 'plain', context: 'shutdown' });
    expect(lines[1]).not.toHaveProperty('stack');
  });

  it('spreads an object message into fields, its msg as the message', () => {
    const { logger, lines } = capture('info');
    logger.log({ msg: 'request completed', route: '/healthz', status: 200 }, 'http');
    expect(lines[0]).toMatchObject({ msg: 'request completed', route: '/healthz', status: 200 });
  });

  it('drops lines below LOG_LEVEL and everything when silent', () => {
    const warn = capture('warn');
    warn.logger.log('chatty');
    warn.logger.debug?.('chattier');
    warn.logger.error('kept');
    expect(warn.lines.map((line) => line.msg)).toEqual(['kept']);
    const silent = capture('silent');
    silent.logger.fatal?.('nothing');
    expect(silent.lines).toEqual([]);
  });

  it('never writes a data-plane token, in a message, a stack or any field', () => {
    const { logger, lines } = capture('info');
    const token = 'a'.repeat(32) + '0123456789abcdef'.repeat(4);
    const url = `http://127.0.0.1:8080/cls/data/${token}/disk%201.iso`;
    logger.error(`unexpected failure on PUT ${url}`, new Error(`at ${url}`).stack, 'http');
    logger.log({ msg: 'prepared', uri: url }, 'downloads');

    const written = JSON.stringify(lines);
    expect(written).not.toContain(token);
    expect(lines[0]).toMatchObject({
      msg: 'unexpected failure on PUT http://127.0.0.1:8080/cls/data/<redacted>/disk%201.iso',
    });
    expect(String(lines[0]!.stack)).toContain('/cls/data/<redacted>/disk%201.iso');
    expect(lines[1]).toMatchObject({
      uri: 'http://127.0.0.1:8080/cls/data/<redacted>/disk%201.iso',
    });
    // The route pattern metrics and logs use stays as it is.
    logger.log('route /cls/data/:token/:name', 'http');
    expect(lines[2]).toMatchObject({ msg: 'route /cls/data/:token/:name' });
  });
});
