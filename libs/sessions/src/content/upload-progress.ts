import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { DATA_SOURCE } from '@cls/database';

const PROGRESS_INTERVAL_MS = 1_000;
const ACTIVITY_INTERVAL_MS = 5_000;

/**
 * Progress is not an event stream (STYLE §6): `bytes_transferred` goes to the file view at most once
 * a second, and every few seconds the session's expiry and its owner's API login are refreshed, so a
 * five-hour upload meets neither an expired session nor a 401 at `complete` (issue 3 §2).
 */
@Injectable()
export class UploadProgress {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  tracker(transferId: string, sessionId: string, owner: string): ProgressTracker {
    return new ProgressTracker(this, transferId, sessionId, owner);
  }

  async recordBytes(transferId: string, bytes: number): Promise<void> {
    await this.db.query(
      'UPDATE update_session_file_view SET bytes_transferred = $2 WHERE transfer_id = $1',
      [transferId, bytes],
    );
  }

  async recordActivity(sessionId: string, owner: string, now: Date): Promise<void> {
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

export class ProgressTracker {
  private lastProgress = 0;
  private lastActivity = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly progress: UploadProgress,
    private readonly transferId: string,
    private readonly sessionId: string,
    private readonly owner: string,
  ) {}

  /** Called for every chunk; writes only when an interval has passed, one write at a time. */
  observe(bytes: number): void {
    const now = Date.now();
    if (now - this.lastProgress >= PROGRESS_INTERVAL_MS) {
      this.lastProgress = now;
      this.enqueue(() => this.progress.recordBytes(this.transferId, bytes));
    }
    if (now - this.lastActivity >= ACTIVITY_INTERVAL_MS) {
      this.lastActivity = now;
      this.enqueue(() => this.progress.recordActivity(this.sessionId, this.owner, new Date(now)));
    }
  }

  /** The final count, written whatever the interval (a dropped connection leaves it resumable). */
  async settle(bytes: number): Promise<void> {
    this.enqueue(() => this.progress.recordBytes(this.transferId, bytes));
    await this.pending;
  }

  private enqueue(write: () => Promise<void>): void {
    // Progress is best effort: a failed write must not fail the upload.
    this.pending = this.pending.then(write).catch(() => undefined);
  }
}
