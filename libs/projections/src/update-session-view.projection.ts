import type { UpdateSessionEvent } from '@cls/domain';
import { updateSessionExists } from '@cls/domain';
import type { InlineProjection, RecordedEvent, SqlExecutor } from '@cls/event-store';

const STATE_AFTER = {
  UpdateSessionCompleted: 'DONE',
  UpdateSessionCanceled: 'CANCELED',
  UpdateSessionExpired: 'CANCELED',
  UpdateSessionFailed: 'ERROR',
} as const;

/**
 * The `UpdateSessionModel` view. Its partial unique index (one ACTIVE session per item) is the
 * real guard against racing creates: a losing insert vetoes the whole append.
 */
export const updateSessionViewProjection: InlineProjection = {
  name: 'update_session_view',
  eventTypes: [
    'UpdateSessionCreated',
    'UpdateSessionKeptAlive',
    'UpdateSessionWarningBehaviorUpdated',
    'UpdateSessionCompleted',
    'UpdateSessionCompletionRequested',
    'UpdateSessionCanceled',
    'UpdateSessionExpired',
    'UpdateSessionFailed',
    'UpdateSessionDeleted',
    'UpdateSessionPurged',
  ],
  async apply(sql: SqlExecutor, recorded: RecordedEvent): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as UpdateSessionEvent;
    const version = recorded.streamVersion;
    switch (event.type) {
      case 'UpdateSessionCreated': {
        const d = event.data;
        const inserted = await sql.query(
          `INSERT INTO update_session_view (id, library_item_id, library_item_content_version, owner, client_token, state,
                                            client_progress, expiration_time, warning_behavior, creation_time, last_stream_version)
           VALUES ($1, $2, $3, $4, $5, 'ACTIVE', 0, $6, $7, $8, $9)
           ON CONFLICT DO NOTHING
           RETURNING id`,
          [
            d.sessionId,
            d.libraryItemId,
            d.itemContentVersion,
            d.owner,
            d.clientToken ?? null,
            d.expiresAt,
            JSON.stringify(d.warningBehavior),
            d.createdAt,
            version,
          ],
        );
        if (inserted.length > 0) return;
        const [replayed] = await sql.query('SELECT 1 FROM update_session_view WHERE id = $1', [
          d.sessionId,
        ]);
        if (!replayed) throw updateSessionExists(d.libraryItemId);
        return;
      }
      case 'UpdateSessionKeptAlive':
        await sql.query(
          `UPDATE update_session_view SET client_progress = $2, expiration_time = $3, last_stream_version = $4
           WHERE id = $1 AND last_stream_version < $4`,
          [event.data.sessionId, event.data.clientProgress, event.data.expiresAt, version],
        );
        return;
      case 'UpdateSessionWarningBehaviorUpdated':
        await sql.query(
          `UPDATE update_session_view SET warning_behavior = $2, expiration_time = $3, last_stream_version = $4
           WHERE id = $1 AND last_stream_version < $4`,
          [
            event.data.sessionId,
            JSON.stringify(event.data.warningBehavior),
            event.data.expiresAt,
            version,
          ],
        );
        return;
      case 'UpdateSessionCompleted':
      case 'UpdateSessionCanceled':
      case 'UpdateSessionExpired':
      case 'UpdateSessionFailed':
        await sql.query(
          `UPDATE update_session_view SET state = $2, expiration_time = $3, error_message = $4, last_stream_version = $5
           WHERE id = $1 AND last_stream_version < $5`,
          [
            event.data.sessionId,
            STATE_AFTER[event.type],
            event.data.expiresAt,
            event.type === 'UpdateSessionFailed' ? JSON.stringify(event.data.errorMessage) : null,
            version,
          ],
        );
        return;
      case 'UpdateSessionDeleted':
      case 'UpdateSessionPurged':
        await sql.query('DELETE FROM update_session_view WHERE id = $1', [event.data.sessionId]);
        return;
      case 'UpdateSessionCompletionRequested':
        await sql.query(
          `UPDATE update_session_view SET completion_requested = true, expiration_time = $2, last_stream_version = $3
           WHERE id = $1 AND last_stream_version < $3`,
          [event.data.sessionId, event.data.expiresAt, version],
        );
        return;
      // File operations move the expiry too: the file view's projection writes that (same statement).
      default:
        return;
    }
  },
};
