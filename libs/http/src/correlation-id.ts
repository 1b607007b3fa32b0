import { randomUUID } from 'node:crypto';

import type { FastifyRequest } from 'fastify';

import type { Correlation } from '@cls/context';

const HEADER = 'x-request-id';
const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Request-Id` when it looks sane, else a fresh one; echoed back in the response. */
export function correlationIdOf(request: FastifyRequest): string {
  const store = request as FastifyRequest & { correlationId?: string };
  if (store.correlationId === undefined) {
    const given = request.headers[HEADER];
    store.correlationId = typeof given === 'string' && SAFE.test(given) ? given : randomUUID();
  }
  return store.correlationId;
}

export const CORRELATION_HEADER = HEADER;

/** W3C Trace Context, version 00: trace id and parent id in lowercase hex, neither all zeros. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The request's correlation: its id, and its `traceparent` when valid (an invalid one is ignored,
 * as the W3C recommendation says), so the events it causes can be found from the caller's trace.
 */
export function correlationOfRequest(request: FastifyRequest): Correlation {
  const traceparent = request.headers.traceparent;
  return {
    correlationId: correlationIdOf(request),
    ...(typeof traceparent === 'string' && TRACEPARENT.test(traceparent) ? { traceparent } : {}),
  };
}

/** The scheme, host and port the client used, for URLs handed back to it (§7.1). */
export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
