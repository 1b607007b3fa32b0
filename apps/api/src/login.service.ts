import { Injectable } from '@nestjs/common';

import { LoginSessions, unauthenticated, UserDirectory } from '@cls/access';
import { Clock } from '@cls/context';
import { message, TooManyAttempts } from '@cls/domain';

import type { LoginAttempt } from './login-throttle';
import { LoginThrottle } from './login-throttle';
import { basicCredentials } from './wire/basic-auth';

/** Login with a user name and password, shared by both REST styles and the SOAP façade. */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UserDirectory,
    private readonly logins: LoginSessions,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
  ) {}

  /** Basic credentials from `address`: a new login's token. */
  login(authorization: string | undefined, address: string): Promise<string> {
    const { user, password } = basicCredentials(authorization);
    return this.loginWith(user, password, address);
  }

  /**
   * A new login's token; `Unauthenticated` for wrong credentials, `TooManyAttempts` while the user
   * name or the address is locked out (then the password is not even checked).
   */
  async loginWith(user: string, password: string, address: string): Promise<string> {
    const attempt: LoginAttempt = { user, address };
    const locked = await this.throttle.secondsLocked(attempt);
    if (locked > 0)
      throw new TooManyAttempts(
        locked,
        message(
          'com.vmware.cls.login.locked',
          `Too many failed logins; try again in ${locked} seconds.`,
          [String(locked)],
        ),
      );
    if (!(await this.users.verifyCredentials(user, password))) {
      await this.throttle.failed(attempt);
      throw unauthenticated();
    }
    await this.throttle.succeeded(attempt);
    return this.logins.open(user, this.clock.now());
  }
}
