import { createHash, randomBytes } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { DATA_SOURCE, PostgresNotifications } from '@cls/database';
import { message, Unauthenticated } from '@cls/domain';

import type { AuthenticatedCaller } from './authenticated-caller';
import { grantsFromRows } from './privileges';

export interface LoginSessionInfo {
  readonly user: string;
  readonly createdTime: Date;
  readonly lastAccessedTime: Date;
}

export interface ResolvedLogin {
  readonly caller: AuthenticatedCaller;
  readonly tokenHash: string;
  readonly info: LoginSessionInfo;
}

/**
 * How stale a login's `last_accessed_time` may get before a use writes it again: touching a login
 * on every call would be a write per request; a few seconds of slack is harmless.
 */
export const LOGIN_TOUCH_INTERVAL_MS = 5_000;

/**
 * How long a process answers a token from memory. Changes that matter reach every process at
 * once (`LOGIN_CHANGES_CHANNEL`), so this only bounds how late a login's use is written back.
 */
const LOGIN_CACHE_MS = LOGIN_TOUCH_INTERVAL_MS;

/** Named by triggers (migration 0008) with the user whose logins or privileges changed. */
export const LOGIN_CHANGES_CHANNEL = 'cls_login_changes';

export function unauthenticated(): Unauthenticated {
  return new Unauthenticated(
    message('com.vmware.vapi.endpoint.method.authentication.required', 'Authentication required.'),
  );
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

interface SessionRow {
  user_name: string;
  is_admin: boolean;
  created_time: Date;
  last_accessed_time: Date;
  grants: { privilege: string; object_id: string }[];
}

/**
 * API login sessions: random 128-bit tokens, stored only as SHA-256 hashes, expiring when idle.
 * Each process keeps the logins it resolved for a few seconds, dropped at once when the database
 * says their user changed; while that notification channel is down nothing is kept.
 */
@Injectable()
export class LoginSessions {
  private readonly resolved = new Map<string, { login: ResolvedLogin; cachedAt: number }>();
  /** Moves with every change heard: a read that started before one must not be kept. */
  private changesHeard = 0;
  private listening: Promise<unknown> | undefined;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly notifications: PostgresNotifications,
  ) {}

  async open(user: string, now: Date): Promise<string> {
    const token = randomBytes(16).toString('hex');
    await this.db.query(
      'INSERT INTO api_session (token_hash, user_name, created_time, last_accessed_time) VALUES ($1, $2, $3, $3)',
      [hashToken(token), user, now],
    );
    return token;
  }

  async resolve(token: string, now: Date): Promise<ResolvedLogin> {
    const tokenHash = hashToken(token);
    const cached = this.resolved.get(tokenHash);
    if (
      cached !== undefined &&
      now.getTime() - cached.cachedAt < LOGIN_CACHE_MS &&
      !this.idledOut(cached.login.info.lastAccessedTime, now)
    )
      return cached.login;
    this.listening ??= this.notifications.subscribe(LOGIN_CHANGES_CHANNEL, {
      notified: (user) => this.forgetUser(user),
      missed: () => {
        this.changesHeard += 1;
        this.resolved.clear();
      },
    });
    await this.listening;
    const heardBefore = this.changesHeard;
    const login = await this.read(tokenHash, now);
    if (this.changesHeard === heardBefore && this.notifications.listening)
      this.remember(tokenHash, login, now.getTime());
    return login;
  }

  /**
   * Drops the cached logins of `user`. Other processes hear of a change from the database's
   * triggers; the process that made it calls this too, so its very next request sees it.
   */
  forgetUser(user: string): void {
    this.changesHeard += 1;
    for (const [tokenHash, { login }] of this.resolved)
      if (login.caller.user === user) this.resolved.delete(tokenHash);
  }

  /** Entries stay in the order they were cached, so the stale ones are pruned from the front. */
  private remember(tokenHash: string, login: ResolvedLogin, now: number): void {
    this.resolved.delete(tokenHash);
    this.resolved.set(tokenHash, { login, cachedAt: now });
    for (const [oldest, { cachedAt }] of this.resolved) {
      if (now - cachedAt < LOGIN_CACHE_MS) break;
      this.resolved.delete(oldest);
    }
  }

  private idledOut(lastAccessed: Date, now: Date): boolean {
    return now.getTime() - lastAccessed.getTime() > this.config.loginIdleTimeoutSeconds * 1000;
  }

  private async read(tokenHash: string, now: Date): Promise<ResolvedLogin> {
    const [row] = await this.db.query<SessionRow[]>(
      `SELECT s.user_name, u.is_admin, s.created_time, s.last_accessed_time,
              coalesce((SELECT json_agg(json_build_object('privilege', g.privilege, 'object_id', g.object_id))
                        FROM cls_user_grant g WHERE g.user_name = s.user_name), '[]') AS grants
       FROM api_session s JOIN cls_user u ON u.name = s.user_name
       WHERE s.token_hash = $1`,
      [tokenHash],
    );
    if (!row) throw unauthenticated();
    const idleMs = now.getTime() - row.last_accessed_time.getTime();
    if (this.idledOut(row.last_accessed_time, now)) {
      await this.db.query('DELETE FROM api_session WHERE token_hash = $1', [tokenHash]);
      throw unauthenticated();
    }
    let lastAccessed = row.last_accessed_time;
    if (idleMs > LOGIN_TOUCH_INTERVAL_MS) {
      await this.touch(tokenHash, now);
      lastAccessed = now;
    }
    return {
      tokenHash,
      caller: { user: row.user_name, isAdmin: row.is_admin, grants: grantsFromRows(row.grants) },
      info: { user: row.user_name, createdTime: row.created_time, lastAccessedTime: lastAccessed },
    };
  }

  /** Long data-plane transfers keep their uploader's login alive: an hour-long upload must not find its login expired at `complete`. */
  async touch(tokenHash: string, now: Date): Promise<void> {
    await this.db.query(
      'UPDATE api_session SET last_accessed_time = $2 WHERE token_hash = $1 AND last_accessed_time < $2',
      [tokenHash, now],
    );
  }

  async close(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM api_session WHERE token_hash = $1', [tokenHash]);
    this.changesHeard += 1;
    this.resolved.delete(tokenHash);
  }

  /** Drops sessions idle past the timeout, so the table does not grow without bound. */
  async sweep(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.loginIdleTimeoutSeconds * 1000);
    const result = await this.db.query<[unknown[], number]>(
      'DELETE FROM api_session WHERE last_accessed_time < $1',
      [cutoff],
    );
    return result[1];
  }
}
