import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

import type { Metrics } from '@cls/observability';
import { methodLabel, routeLabel, statusClass, withLogContext } from '@cls/observability';

import { CORRELATION_HEADER, correlationIdOf } from './correlation-id';

/**
 * Every request: its correlation id is echoed and in force for everything the request runs (log
 * lines, commands), its latency goes to the histogram under its route pattern, and one log line
 * says how it ended. The URL is never logged: data-plane URLs carry tokens.
 */
export function observeRequests(fastify: FastifyInstance, metrics: Metrics): void {
  const logger = new Logger('http');
  fastify.addHook('onRequest', (request, reply, done) => {
    const correlationId = correlationIdOf(request);
    void reply.header(CORRELATION_HEADER, correlationId);
    withLogContext({ correlationId }, done);
  });
  // Body parsing continues on the socket's events, outside the context: enter it again.
  fastify.addHook('preHandler', (request, _reply, done) => {
    withLogContext({ correlationId: correlationIdOf(request) }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = routeLabel(request.routeOptions.url);
    const seconds = reply.elapsedTime / 1000;
    metrics.observeRequest(
      methodLabel(request.method),
      route,
      statusClass(reply.statusCode),
      seconds,
    );
    withLogContext({ correlationId: correlationIdOf(request) }, () =>
      logger.log({
        msg: 'request completed',
        method: request.method,
        route,
        status: reply.statusCode,
        seconds,
      }),
    );
    done();
  });
}
