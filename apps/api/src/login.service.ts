import { Injectable } from '@nestjs/common';

import { LoginSessions, unauthenticated, UserDirectory } from '@cls/access';
import { Clock } from '@cls/sessions';

import { basicCredentials } from './wire/basic-auth';

/** Login with Basic credentials, shared by both styles' session services. */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UserDirectory,
    private readonly logins: LoginSessions,
    private readonly clock: Clock,
  ) {}

  async login(authorization: string | undefined): Promise<string> {
    const { user, password } = basicCredentials(authorization);
    if (!(await this.users.verifyCredentials(user, password))) throw unauthenticated();
    return this.logins.open(user, this.clock.now());
  }
}
