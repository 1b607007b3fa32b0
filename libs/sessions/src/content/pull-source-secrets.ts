import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { DATA_SOURCE } from '@cls/database';
import type { UpdateSessionState } from '@cls/domain';

import { withoutSecrets } from '../shared/without-secrets';

/**
 * The full URLs of PULL sources that carry secrets. The append-only events keep them without
 * (STYLE §5: no credentials in payloads); the worker reads the full one here, and it is forgotten
 * when the session ends.
 */
@Injectable()
export class PullSourceSecrets {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  /**
   * Keeps `uri` for the transfer if it carries secrets, and answers the URI events may record.
   * Written before the event: if the event is then refused, call `forget`.
   */
  async keep(sessionId: string, transferId: string, uri: string): Promise<string> {
    const recordable = withoutSecrets(uri) ?? uri;
    if (recordable !== uri) {
      await this.db.query(
        'INSERT INTO pull_source_secret (transfer_id, session_id, uri) VALUES ($1, $2, $3)',
        [transferId, sessionId, uri],
      );
    }
    return recordable;
  }

  async uriOf(transferId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ uri: string }[]>(
      'SELECT uri FROM pull_source_secret WHERE transfer_id = $1',
      [transferId],
    );
    return row?.uri;
  }

  async forget(transferId: string): Promise<void> {
    await this.db.query('DELETE FROM pull_source_secret WHERE transfer_id = $1', [transferId]);
  }

  /**
   * Forgets the secrets of a session that ended. Only pulls keep one: a session whose file list
   * has none needs no statement; one whose list is gone (purged) is asked anyway.
   */
  async forgetSession(sessionId: string, session: UpdateSessionState): Promise<void> {
    const mayHoldSecrets =
      !('files' in session) ||
      Object.values(session.files).some((file) => file.sourceType === 'PULL');
    if (!mayHoldSecrets) return;
    await this.db.query('DELETE FROM pull_source_secret WHERE session_id = $1', [sessionId]);
  }

  /**
   * Forgets every secret whose session is not ACTIVE (ended or purged): the sweep's net under the
   * deletions at each session's end, and under an add that died between its secret and its event.
   */
  async forgetLeftovers(): Promise<number> {
    const [, deleted] = await this.db.query<[unknown[], number]>(
      `DELETE FROM pull_source_secret secret
        WHERE NOT EXISTS (SELECT 1 FROM update_session_view session
                           WHERE session.id::text = secret.session_id AND session.state = 'ACTIVE')`,
    );
    return deleted;
  }
}
