import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { InvalidRequest, message } from '@cls/domain';

import { styleOfUrl } from './api-style';
import { errorBody } from './vapi-error';

/** A request the framework refused before any route saw it, as vAPI's INVALID_REQUEST. */
export function invalidRequest(reason: string): InvalidRequest {
  return new InvalidRequest(
    message('com.vmware.vapi.rest.badRequest', `Invalid request: ${reason}`, [reason]),
  );
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot decode (400) or a path segment over the router's
 * limit (414), refused before routing, so before Nest's exception filter. Same status, the vAPI
 * body of the request's style.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  // Written raw, as Fastify's own answer would be: this reply skips the `onSend` hooks, so
  // `answerPlainJson` could not drop the charset Fastify adds to a JSON content type.
  const body = JSON.stringify(errorBody(invalidRequest(error.message), styleOfUrl(request.url)));
  reply.hijack();
  reply.raw.writeHead(error.statusCode ?? 400, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  reply.raw.end(body);
}

/** Why Node's HTTP parser gave up on a request, as status and reason. */
function parserFailure(code: string | undefined): { status: number; reason: string } {
  if (code === 'HPE_HEADER_OVERFLOW')
    return { status: 431, reason: 'the request line and headers exceed the size allowed' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, reason: 'the request did not arrive in time' };
  return { status: 400, reason: 'the request is not well-formed HTTP' };
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request (headers too large,
 * malformed), so there is no request object; the style is read from the raw request line.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const { status, reason } = parserFailure(error.code);
    // Typed as its JSON form, the raw packet is a Buffer at run time.
    const raw: unknown = error.rawPacket;
    const head = Buffer.isBuffer(raw) ? raw.toString('latin1', 0, 256) : '';
    const path = /^[A-Z]+ (\S+)/.exec(head)?.[1];
    const body = JSON.stringify(errorBody(invalidRequest(reason), styleOfUrl(path ?? '/')));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
