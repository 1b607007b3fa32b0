import { createHash, randomBytes } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { DATA_SOURCE } from '@cls/database';
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

/** API login sessions: random 128-bit tokens, stored only as SHA-256 hashes, expiring when idle. */
@Injectable()
export class LoginSessions {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
    if (idleMs > this.config.loginIdleTimeoutSeconds * 1000) {
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

  /** Long data-plane transfers keep their uploader's login alive (issue 3 §2). */
  async touch(tokenHash: string, now: Date): Promise<void> {
    await this.db.query(
      'UPDATE api_session SET last_accessed_time = $2 WHERE token_hash = $1 AND last_accessed_time < $2',
      [tokenHash, now],
    );
  }

  async close(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM api_session WHERE token_hash = $1', [tokenHash]);
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
