import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * `/api` creates take the client token as `?client_token=` (vCenter Swagger) or `Client-Token:`
 * (8.x SDK bindings); both are accepted (§10.3).
 */
export const ClientToken = createParamDecorator(
  (_: unknown, context: ExecutionContext): string | undefined => {
    const request = context
      .switchToHttp()
      .getRequest<FastifyRequest<{ Querystring: { client_token?: string } }>>();
    const header = request.headers['client-token'];
    return (
      request.query.client_token || (typeof header === 'string' ? header : undefined) || undefined
    );
  },
);
