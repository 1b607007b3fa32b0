import { randomUUID } from 'node:crypto';

import type { FastifyRequest } from 'fastify';

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

/** The scheme, host and port the client used, for URLs handed back to it (§7.1). */
export function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
