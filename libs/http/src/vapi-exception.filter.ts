import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { Catch, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { DomainError } from '@cls/domain';
import {
  DomainError as DomainErrorClass,
  message,
  NotFound,
  OperationNotFound,
  ServiceUnavailable,
  TooManyAttempts,
} from '@cls/domain';
import { isDatabaseUnavailable } from '@cls/event-store';

import type { ApiStyle } from './api-style';
import { styleOfUrl } from './api-style';
import { correlationIdOf } from './correlation-id';
import { invalidRequest } from './framework-errors';
import { errorBody, httpStatusOf } from './vapi-error';

class InternalServerError extends DomainErrorClass {
  readonly code = 'INTERNAL_SERVER_ERROR';
}

function unknownPath(request: FastifyRequest, style: ApiStyle): DomainError {
  const path = request.url.split('?')[0] ?? request.url;
  return style === 'api'
    ? new NotFound(
        message('com.vmware.vapi.rest.httpNotFound', `Not found: ${request.method} ${path}`, [
          path,
        ]),
      )
    : new OperationNotFound(
        message(
          'com.vmware.vapi.rest.operation_not_found',
          `Operation not found: ${request.method} ${path}`,
          [path],
        ),
      );
}

/**
 * Maps anything thrown while serving a request to the vAPI error of the request's style. Unknown
 * failures become a 500 carrying the correlation id and no internals; Postgres being away is a 503;
 * too many attempts (logins) a 429 with `Retry-After`.
 */
@Catch()
export class VapiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const style = styleOfUrl(request.url);
    const error = this.toDomainError(exception, request, style);
    if (reply.sent) return;
    if (error instanceof TooManyAttempts)
      void reply.header('retry-after', String(error.retryAfterSeconds));
    // Refused before its body was read (a full disk, say): the client should stop sending, and
    // the connection cannot carry another request anyway.
    if (!request.raw.complete) void reply.header('connection', 'close');
    void reply
      .status(httpStatusOf(error, style))
      .header('content-type', 'application/json')
      .send(errorBody(error, style));
  }

  private toDomainError(exception: unknown, request: FastifyRequest, style: ApiStyle): DomainError {
    if (exception instanceof DomainErrorClass) return exception;
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable: ${(exception as Error).message}`);
      return new ServiceUnavailable(
        message(
          'com.vmware.vdcs.cls-main.service_unavailable',
          'The content library service is temporarily unavailable.',
        ),
      );
    }
    const status =
      exception instanceof HttpException
        ? exception.getStatus()
        : ((exception as { statusCode?: unknown })?.statusCode as number | undefined);
    if (status === 404) return unknownPath(request, style);
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Fastify's own rejections: oversized body, bad content type, malformed headers.
      return invalidRequest(exception instanceof Error ? exception.message : 'malformed request');
    }
    const correlationId = correlationIdOf(request);
    this.logger.error(
      `unexpected failure (correlation ${correlationId}) on ${request.method} ${request.url}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return new InternalServerError(
      message(
        'com.vmware.vdcs.cls-main.internal_error',
        `Internal server error; quote correlation id ${correlationId} when reporting it.`,
        [correlationId],
      ),
    );
  }
}
