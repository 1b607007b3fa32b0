import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { LOGIN_TOUCH_INTERVAL_MS } from '@cls/access';
import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { DATA_SOURCE } from '@cls/database';
import { Metrics } from '@cls/observability';

import { throttledActivity } from './activity-throttle';

/**
 * Writes are activity (§7.1): every few seconds of a running upload refresh the session's expiry and
 * its owner's API login, so a five-hour upload meets neither an expired session nor a 401 at
 * `complete`. Byte counts need no writes: they are read from the staged file (and
 * counted for the metrics in memory).
 */
@Injectable()
export class UploadActivity {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /**
   * A callback for every chunk of a PUSH body (`upload`) or a PULL source (`pull`); it writes at
   * most once per interval (see throttledActivity).
   */
  tracker(
    session: { readonly sessionId: string; readonly owner: string; readonly expiresAt?: string },
    direction: 'upload' | 'pull',
  ): (bytes: number) => void {
    const activity = throttledActivity(
      this.config.sessionTimeoutSeconds,
      (now) => this.record(session.sessionId, session.owner, now),
      session.expiresAt === undefined ? {} : { deadline: new Date(session.expiresAt) },
    );
    const transferred = this.metrics.bytes(direction);
    return (bytes) => {
      transferred.inc(bytes);
      activity.touch();
    };
  }

  /**
   * One statement, so one round trip and one commit per refresh. Logins used in the last few
   * seconds are left alone, as the authentication guard leaves them: every upload of an account
   * would otherwise write the same login rows, and concurrent uploads would queue on their locks.
   */
  private async record(sessionId: string, owner: string, now: Date): Promise<void> {
    const expiresAt = new Date(now.getTime() + this.config.sessionTimeoutSeconds * 1000);
    const idleCutoff = new Date(now.getTime() - this.config.loginIdleTimeoutSeconds * 1000);
    const touchedBefore = new Date(now.getTime() - LOGIN_TOUCH_INTERVAL_MS);
    await this.db.query(
      `WITH session AS (
         UPDATE update_session_view SET expiration_time = $2
          WHERE id = $1 AND state = 'ACTIVE' AND expiration_time < $2
       )
       UPDATE api_session SET last_accessed_time = $4
        WHERE user_name = $3 AND last_accessed_time BETWEEN $5 AND $6`,
      [sessionId, expiresAt, owner, now, idleCutoff, touchedBefore],
    );
  }
}
