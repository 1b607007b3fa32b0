import type { ExecutionContext } from '@nestjs/common';
import { createParamDecorator } from '@nestjs/common';

import type { ResolvedLogin } from '@cls/access';
import { unauthenticated } from '@cls/access';
import type { RequestContext } from '@cls/context';

import type { AuthenticatedRequest } from './authentication.guard';
import { correlationOfRequest } from './correlation-id';

function loginOf(context: ExecutionContext): {
  request: AuthenticatedRequest;
  login: ResolvedLogin;
} {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.login) throw unauthenticated();
  return { request, login: request.login };
}

/** The caller and correlation of an authenticated request, as commands carry them. */
export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext): RequestContext => {
  const { request, login } = loginOf(context);
  return { caller: login.caller, ...correlationOfRequest(request) };
});

/** The API login session itself (for session get/delete). */
export const Login = createParamDecorator(
  (_: unknown, context: ExecutionContext): ResolvedLogin => loginOf(context).login,
);
