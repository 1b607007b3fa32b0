import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';

import type { ResolvedLogin } from '@cls/access';
import { LoginSessions, unauthenticated } from '@cls/access';
import { Clock } from '@cls/context';

import { styleOfUrl } from './api-style';

export const SESSION_HEADER = 'vmware-api-session-id';
const PUBLIC = Symbol('public');

/** Marks a route that needs no API session (login itself, health checks). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC, true);

export type AuthenticatedRequest = FastifyRequest & { login?: ResolvedLogin };

function cookieToken(request: FastifyRequest): string | undefined {
  const cookies = (request as FastifyRequest & { cookies?: Record<string, string | undefined> })
    .cookies;
  return cookies?.[SESSION_HEADER];
}

/** Every API call needs `vmware-api-session-id` (header; on `/rest` also the legacy cookie) → else 401. */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly logins: LoginSessions,
    private readonly clock: Clock,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (
      this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])
    )
      return true;
    await this.authenticate(context.switchToHttp().getRequest<AuthenticatedRequest>());
    return true;
  }

  /** Resolves the request's API session and remembers it on the request; 401 when there is none. */
  async authenticate(request: AuthenticatedRequest): Promise<ResolvedLogin> {
    const header = request.headers[SESSION_HEADER];
    const token =
      (typeof header === 'string' ? header : undefined) ??
      (styleOfUrl(request.url) === 'rest' ? cookieToken(request) : undefined);
    if (!token) throw unauthenticated();
    request.login = await this.logins.resolve(token, this.clock.now());
    return request.login;
  }
}
