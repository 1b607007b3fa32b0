import type { UpdateSessionEvent } from '@cls/domain';
import type { InlineProjection, RecordedEvent, SqlExecutor } from '@cls/event-store';

const json = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);

/** The parameters of movingTheSessionDeadline, in its order. */
const deadlineOf = (
  data: { readonly sessionId: string; readonly expiresAt: string },
  version: number,
): [string, string, number] => [data.sessionId, data.expiresAt, version];

/**
 * Any file operation is session activity: it moves the session's expiry (contract §8.5). The
 * session's row is moved by the same statement that writes the file's, as a data-modifying CTE
 * whose three parameters (session id, new expiry, stream version) follow the statement's own.
 */
function movingTheSessionDeadline(firstParameter: number): string {
  const [id, expiresAt, version] = [0, 1, 2].map((offset) => `$${firstParameter + offset}`);
  return `WITH session_deadline AS (
            UPDATE update_session_view SET expiration_time = ${expiresAt}, last_stream_version = ${version}
             WHERE id = ${id} AND last_stream_version < ${version})`;
}

/**
 * The file list of every update session (contract §4.3–4.4), and the deadline its file operations
 * move on the session's row (see movingTheSessionDeadline). Rows remember the stream version that
 * wrote them, so a replayed event never undoes a later one.
 */
export const updateSessionFileViewProjection: InlineProjection = {
  name: 'update_session_file_view',
  eventTypes: [
    'UpdateSessionCreated',
    'UpdateSessionFileAdded',
    'UpdateSessionFileRemoved',
    'UpdateSessionFileTransferStarted',
    'UpdateSessionFileReceived',
    'UpdateSessionFileTransferFailed',
    'UpdateSessionArchiveUnpacked',
    'UpdateSessionDeleted',
    'UpdateSessionPurged',
  ],
  async apply(sql: SqlExecutor, recorded: RecordedEvent): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as UpdateSessionEvent;
    const version = recorded.streamVersion;
    switch (event.type) {
      case 'UpdateSessionCreated':
        for (const file of event.data.snapshot) {
          await sql.query(
            `INSERT INTO update_session_file_view (session_id, name, source_type, status, size, digests, last_stream_version)
             VALUES ($1, $2, 'NONE', 'READY', $3, $4, $5)
             ON CONFLICT DO NOTHING`,
            [event.data.sessionId, file.name, file.size, JSON.stringify(file.digests), version],
          );
        }
        return;
      case 'UpdateSessionFileAdded': {
        const d = event.data;
        await sql.query(
          `${movingTheSessionDeadline(9)}
           INSERT INTO update_session_file_view (session_id, name, source_type, status, transfer_id, declared_size,
                                                 expected_checksum, source_endpoint, last_stream_version)
           VALUES ($1, $2, $3, 'WAITING_FOR_TRANSFER', $4, $5, $6, $7, $8)
           ON CONFLICT (session_id, name) DO UPDATE SET
             source_type = excluded.source_type, status = excluded.status, transfer_id = excluded.transfer_id,
             declared_size = excluded.declared_size, expected_checksum = excluded.expected_checksum,
             source_endpoint = excluded.source_endpoint, size = NULL, digests = NULL, error_message = NULL, warnings = NULL,
             last_stream_version = excluded.last_stream_version
           WHERE update_session_file_view.last_stream_version < excluded.last_stream_version`,
          [
            d.sessionId,
            d.name,
            d.sourceType,
            d.transferId,
            d.declaredSize ?? null,
            json(d.expectedChecksum),
            json(d.sourceEndpoint),
            version,
            ...deadlineOf(event.data, version),
          ],
        );
        return;
      }
      case 'UpdateSessionFileRemoved':
        await sql.query(
          `${movingTheSessionDeadline(4)}
           DELETE FROM update_session_file_view WHERE session_id = $1 AND name = $2 AND last_stream_version < $3`,
          [event.data.sessionId, event.data.name, version, ...deadlineOf(event.data, version)],
        );
        return;
      case 'UpdateSessionFileTransferStarted':
        await sql.query(
          `${movingTheSessionDeadline(3)}
           UPDATE update_session_file_view SET status = 'TRANSFERRING', last_stream_version = $2
           WHERE transfer_id = $1 AND last_stream_version < $2`,
          [event.data.transferId, version, ...deadlineOf(event.data, version)],
        );
        return;
      case 'UpdateSessionFileReceived':
        await sql.query(
          `${movingTheSessionDeadline(6)}
           UPDATE update_session_file_view
           SET status = 'READY', size = $2, digests = $3, warnings = $5, last_stream_version = $4
           WHERE transfer_id = $1 AND last_stream_version < $4`,
          [
            event.data.transferId,
            event.data.size,
            JSON.stringify(event.data.digests),
            version,
            event.data.warnings?.length ? JSON.stringify(event.data.warnings) : null,
            ...deadlineOf(event.data, version),
          ],
        );
        return;
      case 'UpdateSessionFileTransferFailed':
        await sql.query(
          `${movingTheSessionDeadline(4)}
           UPDATE update_session_file_view SET status = 'ERROR', error_message = $2, last_stream_version = $3
           WHERE transfer_id = $1 AND last_stream_version < $3`,
          [
            event.data.transferId,
            JSON.stringify(event.data.errorMessage),
            version,
            ...deadlineOf(event.data, version),
          ],
        );
        return;
      case 'UpdateSessionArchiveUnpacked': {
        const d = event.data;
        const [archive] = await sql.query<{ source_type: string }>(
          `${movingTheSessionDeadline(3)}
           DELETE FROM update_session_file_view WHERE transfer_id = $1 AND last_stream_version < $2
           RETURNING source_type`,
          [d.transferId, version, ...deadlineOf(d, version)],
        );
        if (!archive) return;
        for (const member of d.members) {
          await sql.query(
            `INSERT INTO update_session_file_view (session_id, name, source_type, status, transfer_id, size, digests,
                                                   last_stream_version)
             VALUES ($1, $2, $3, 'READY', $4, $5, $6, $7)
             ON CONFLICT (session_id, name) DO UPDATE SET
               source_type = excluded.source_type, status = 'READY', transfer_id = excluded.transfer_id,
               declared_size = NULL, expected_checksum = NULL, source_endpoint = NULL,
               size = excluded.size, digests = excluded.digests, error_message = NULL, warnings = NULL,
               last_stream_version = excluded.last_stream_version`,
            [
              d.sessionId,
              member.name,
              archive.source_type,
              member.transferId,
              member.size,
              JSON.stringify(member.digests),
              version,
            ],
          );
        }
        return;
      }
      case 'UpdateSessionDeleted':
      case 'UpdateSessionPurged':
        await sql.query('DELETE FROM update_session_file_view WHERE session_id = $1', [
          event.data.sessionId,
        ]);
        return;
      default:
        return;
    }
  },
};
