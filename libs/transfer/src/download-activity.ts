import { Transform } from 'node:stream';

import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { DATA_SOURCE } from '@cls/database';
import { Metrics } from '@cls/observability';

import { throttledActivity } from './activity-throttle';

/**
 * Serving bytes is activity (§7.3): while a file streams, the session's deadline moves and the
 * file's `bytes_transferred` grows (capped at its size), written at most every few seconds and
 * once more when the response ends. Progress is not an event (STYLE §6): it goes to the view.
 */
@Injectable()
export class DownloadActivity {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** A pass-through stage that counts what reaches the client. */
  meter(sessionId: string, fileId: string): Transform {
    let unrecorded = 0;
    const served = this.metrics.bytes('download');
    const activity = throttledActivity(this.config.sessionTimeoutSeconds, async (now) => {
      const bytes = unrecorded;
      unrecorded = 0;
      await this.record(sessionId, fileId, bytes, now);
    });
    return new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        unrecorded += chunk.length;
        served.inc(chunk.length);
        activity.touch();
        callback(null, chunk);
      },
      flush(callback) {
        activity.flush().then(() => callback(), callback);
      },
    });
  }

  private async record(sessionId: string, fileId: string, bytes: number, now: Date): Promise<void> {
    const expiresAt = new Date(now.getTime() + this.config.sessionTimeoutSeconds * 1000);
    await this.db.query(
      `UPDATE download_session_view SET expiration_time = $2
       WHERE id = $1 AND state = 'ACTIVE' AND expiration_time < $2`,
      [sessionId, expiresAt],
    );
    if (bytes > 0) {
      await this.db.query(
        `UPDATE download_session_file_view SET bytes_transferred = LEAST(size, bytes_transferred + $2)
         WHERE file_id = $1`,
        [fileId, bytes],
      );
    }
  }
}
