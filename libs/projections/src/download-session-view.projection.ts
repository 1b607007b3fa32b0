import type { DownloadSessionEvent } from '@cls/domain';
import type { InlineProjection, RecordedEvent, SqlExecutor } from '@cls/event-store';

/**
 * `DownloadSessionModel` and its file list (contract §6.1, §6.3), in one projection because the
 * files are created, prepared and removed with their session. Rows remember the stream version
 * that wrote them, so a replayed event never undoes a later one.
 */
export const downloadSessionViewProjection: InlineProjection = {
  name: 'download_session_view',
  eventTypes: [
    'DownloadSessionCreated',
    'DownloadSessionKeptAlive',
    'DownloadSessionFilePrepared',
    'DownloadSessionCanceled',
    'DownloadSessionFailed',
    'DownloadSessionExpired',
    'DownloadSessionPurged',
    'DownloadSessionDeleted',
  ],
  async apply(sql: SqlExecutor, recorded: RecordedEvent): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as DownloadSessionEvent;
    const version = recorded.streamVersion;
    switch (event.type) {
      case 'DownloadSessionCreated': {
        const d = event.data;
        const inserted = await sql.query(
          `INSERT INTO download_session_view (id, library_item_id, library_id, library_item_content_version, owner,
                                              client_token, state, client_progress, expiration_time, creation_time,
                                              last_stream_version)
           VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVE', 0, $7, $8, $9)
           ON CONFLICT DO NOTHING
           RETURNING id`,
          [
            d.sessionId,
            d.libraryItemId,
            d.libraryId,
            d.itemContentVersion,
            d.owner,
            d.clientToken ?? null,
            d.expiresAt,
            d.createdAt,
            version,
          ],
        );
        if (inserted.length === 0) return;
        for (const file of d.files) {
          await sql.query(
            `INSERT INTO download_session_file_view (session_id, name, file_id, size, digests, storage_key, status,
                                                     last_stream_version)
             VALUES ($1::uuid, $2::text, md5($1::uuid::text || '/' || $2::text)::uuid, $3, $4, $5, 'UNPREPARED', $6)`,
            [
              d.sessionId,
              file.name,
              file.size,
              JSON.stringify(file.digests),
              file.storageKey,
              version,
            ],
          );
        }
        return;
      }
      case 'DownloadSessionKeptAlive':
        await sql.query(
          `UPDATE download_session_view SET client_progress = $2, expiration_time = $3, last_stream_version = $4
           WHERE id = $1 AND last_stream_version < $4`,
          [event.data.sessionId, event.data.progress, event.data.expiresAt, version],
        );
        return;
      case 'DownloadSessionFilePrepared':
        await sql.query(
          `UPDATE download_session_file_view SET status = 'PREPARED', endpoint_type = $3, last_stream_version = $4
           WHERE session_id = $1 AND name = $2 AND last_stream_version < $4`,
          [event.data.sessionId, event.data.name, event.data.endpointType, version],
        );
        await sql.query(
          `UPDATE download_session_view SET expiration_time = $2, last_stream_version = $3
           WHERE id = $1 AND last_stream_version < $3`,
          [event.data.sessionId, event.data.expiresAt, version],
        );
        return;
      case 'DownloadSessionCanceled':
      case 'DownloadSessionFailed':
        await sql.query(
          `UPDATE download_session_view SET state = $2, expiration_time = $3, error_message = $4, last_stream_version = $5
           WHERE id = $1 AND last_stream_version < $5`,
          [
            event.data.sessionId,
            event.type === 'DownloadSessionFailed' ? 'ERROR' : 'CANCELED',
            event.data.expiresAt,
            event.type === 'DownloadSessionFailed' ? JSON.stringify(event.data.errorMessage) : null,
            version,
          ],
        );
        return;
      case 'DownloadSessionExpired':
      case 'DownloadSessionPurged':
      case 'DownloadSessionDeleted':
        // The files go with their session (ON DELETE CASCADE); the history stays in the events.
        await sql.query('DELETE FROM download_session_view WHERE id = $1', [event.data.sessionId]);
        return;
    }
  },
};
