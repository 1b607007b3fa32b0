import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { LoginSessions, requireAdmin, unauthenticated, UserDirectory } from '@cls/access';
import { Clock } from '@cls/context';
import { SESSION_HEADER } from '@cls/http';

import { basicCredentials } from '../wire/basic-auth';

function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers[SESSION_HEADER];
  if (typeof header === 'string') return header;
  const cookies = (request as FastifyRequest & { cookies?: Record<string, string | undefined> })
    .cookies;
  return cookies?.[SESSION_HEADER];
}

/**
 * Pages outside the vAPI routes (the queue dashboard) admit administrators only: by an API login
 * session (header or cookie, as the API takes it) or, for a browser, by Basic credentials.
 * Throws `Unauthenticated` without a valid login and `Unauthorized` for anyone else.
 */
@Injectable()
export class AdminGate {
  constructor(
    private readonly logins: LoginSessions,
    private readonly users: UserDirectory,
    private readonly clock: Clock,
  ) {}

  async admit(request: FastifyRequest): Promise<void> {
    const token = sessionToken(request);
    if (token !== undefined) {
      requireAdmin((await this.logins.resolve(token, this.clock.now())).caller);
      return;
    }
    if (request.headers.authorization === undefined) throw unauthenticated();
    const { user, password } = basicCredentials(request.headers.authorization);
    if (!(await this.users.verifyCredentials(user, password))) throw unauthenticated();
    const record = await this.users.get(user);
    requireAdmin({ user: record.name, isAdmin: record.isAdmin, grants: record.grants });
  }
}
