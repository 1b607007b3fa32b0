import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { DATA_SOURCE } from '@cls/database';

const ACTIVITY_INTERVAL_MS = 5_000;

/**
 * Writes are activity (§7.1): every few seconds of a running upload refresh the session's expiry and
 * its owner's API login, so a five-hour upload meets neither an expired session nor a 401 at
 * `complete` (issue 3 §2). Byte counts need no writes: they are read from the staged file.
 */
@Injectable()
export class UploadActivity {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A callback for every chunk that writes at most once per interval, one write at a time. */
  tracker(sessionId: string, owner: string): () => void {
    let last = 0;
    let pending: Promise<void> = Promise.resolve();
    return () => {
      const now = Date.now();
      if (now - last < ACTIVITY_INTERVAL_MS) return;
      last = now;
      // Best effort: a failed refresh must not fail the upload.
      pending = pending
        .then(() => this.record(sessionId, owner, new Date(now)))
        .catch(() => undefined);
    };
  }

  private async record(sessionId: string, owner: string, now: Date): Promise<void> {
    const expiresAt = new Date(now.getTime() + this.config.sessionTimeoutSeconds * 1000);
    const idleCutoff = new Date(now.getTime() - this.config.loginIdleTimeoutSeconds * 1000);
    await this.db.query(
      `UPDATE update_session_view SET expiration_time = $2 WHERE id = $1 AND state = 'ACTIVE' AND expiration_time < $2`,
      [sessionId, expiresAt],
    );
    await this.db.query(
      'UPDATE api_session SET last_accessed_time = $2 WHERE user_name = $1 AND last_accessed_time BETWEEN $3 AND $2',
      [owner, now, idleCutoff],
    );
  }
}
