import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { REDIS } from '@cls/messaging';

/** Who a login attempt counts against: the user name it names and the address it comes from. */
export interface LoginAttempt {
  readonly user: string;
  readonly address: string;
}

/**
 * Counts a failure for one subject; at the limit, locks it out and starts counting afresh.
 * KEYS: the failure counter, the lock. ARGV: limit, window ms, lockout ms.
 */
const RECORD_FAILURE = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if failures >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[1])
end
return failures`;

type ThrottleRedis = Redis & {
  recordLoginFailure(counter: string, lock: string, ...args: number[]): Promise<number>;
};

/**
 * A client address may fail this many times as often as one user name: an office behind one NAT
 * address is not locked out by a few people's typos, a flood from one address still is.
 */
const ADDRESS_ALLOWANCE = 10;

const userSubject = ({ user }: LoginAttempt): string => `user:${user}`;
const failuresKey = (subject: string): string => `login-failures:${subject}`;

/**
 * Login throttling shared by every API process through Redis: `maxFailures` wrong passwords for a
 * user name (ten times as many from one client address) within the window lock that name (that
 * address) out for the lockout, checked before any password is hashed. A successful login clears
 * the count of its user name, not of its address. Redis being away must not keep everyone out, so
 * then logins go unthrottled (and the log says so).
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger('login');
  private readonly redis: ThrottleRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.defineCommand('recordLoginFailure', { numberOfKeys: 2, lua: RECORD_FAILURE });
    this.redis = redis as ThrottleRedis;
  }

  /** Seconds until this attempt may be tried, 0 when it may be now. */
  async secondsLocked(attempt: LoginAttempt): Promise<number> {
    const waits = await this.unlessRedisIsAway(
      Promise.all(this.subjects(attempt).map(({ lock }) => this.redis.pttl(lock))),
    );
    return Math.ceil(Math.max(0, ...(waits ?? [])) / 1000);
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    const { windowSeconds, lockoutSeconds } = this.config.loginThrottle;
    await this.unlessRedisIsAway(
      Promise.all(
        this.subjects(attempt).map(({ counter, lock, limit }) =>
          this.redis.recordLoginFailure(
            counter,
            lock,
            limit,
            windowSeconds * 1000,
            lockoutSeconds * 1000,
          ),
        ),
      ),
    );
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.unlessRedisIsAway(this.redis.del(failuresKey(userSubject(attempt))));
  }

  /** The user name's count and lock, then the address's, each with its limit. */
  private subjects(attempt: LoginAttempt): { counter: string; lock: string; limit: number }[] {
    const { maxFailures } = this.config.loginThrottle;
    return [
      { subject: userSubject(attempt), limit: maxFailures },
      { subject: `address:${attempt.address}`, limit: maxFailures * ADDRESS_ALLOWANCE },
    ].map(({ subject, limit }) => ({
      counter: failuresKey(subject),
      lock: `login-locked:${subject}`,
      limit,
    }));
  }

  private async unlessRedisIsAway<T>(work: Promise<T>): Promise<T | undefined> {
    try {
      return await work;
    } catch (error) {
      this.logger.warn(
        `login throttling skipped, Redis unavailable: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    }
  }
}
