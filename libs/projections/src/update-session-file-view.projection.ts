import type { UpdateSessionEvent } from '@cls/domain';
import type { InlineProjection, RecordedEvent, RowChange, RowValues } from '@cls/event-store';

import { UPDATE_SESSION_FILES, UPDATE_SESSIONS } from './projected-tables';

/** A file row with every column this projection writes; `columns` sets some. */
const fileRow = (
  sessionId: string,
  name: string,
  version: number,
  columns: RowValues,
): RowValues => ({
  session_id: sessionId,
  name,
  source_type: 'NONE',
  status: 'READY',
  transfer_id: null,
  declared_size: null,
  expected_checksum: null,
  source_endpoint: null,
  size: null,
  digests: null,
  error_message: null,
  warnings: null,
  last_stream_version: version,
  ...columns,
});

/**
 * Any file operation is session activity: it moves the session's expiry (contract §8.5), in the
 * same statement as the file's row.
 */
const movingTheSessionDeadline = (
  data: { readonly sessionId: string; readonly expiresAt: string },
  version: number,
): RowChange => ({
  kind: 'update',
  where: { table: UPDATE_SESSIONS, match: { id: data.sessionId }, olderThan: version },
  set: { expiration_time: data.expiresAt, last_stream_version: version },
});

/**
 * The file list of every update session (contract §4.3–4.4), and the deadline its file operations
 * move on the session's row. Rows remember the stream version that wrote them, so a replayed event
 * never undoes a later one.
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
  changesOf(recorded: RecordedEvent): RowChange[] {
    const event = { type: recorded.type, data: recorded.data } as UpdateSessionEvent;
    const version = recorded.streamVersion;
    const transfer = (data: { readonly sessionId: string; readonly transferId: string }) => ({
      table: UPDATE_SESSION_FILES,
      match: { session_id: data.sessionId, transfer_id: data.transferId },
      olderThan: version,
    });
    switch (event.type) {
      case 'UpdateSessionCreated':
        return [
          {
            kind: 'insert',
            table: UPDATE_SESSION_FILES,
            existing: 'keep',
            rows: event.data.snapshot.map((file) =>
              fileRow(event.data.sessionId, file.name, version, {
                size: file.size,
                digests: file.digests,
              }),
            ),
          },
        ];
      case 'UpdateSessionFileAdded': {
        const d = event.data;
        return [
          {
            kind: 'insert',
            table: UPDATE_SESSION_FILES,
            existing: 'replace-older',
            rows: [
              fileRow(d.sessionId, d.name, version, {
                source_type: d.sourceType,
                status: 'WAITING_FOR_TRANSFER',
                transfer_id: d.transferId,
                declared_size: d.declaredSize ?? null,
                expected_checksum: d.expectedChecksum ?? null,
                source_endpoint: d.sourceEndpoint ?? null,
              }),
            ],
          },
          movingTheSessionDeadline(d, version),
        ];
      }
      case 'UpdateSessionFileRemoved':
        return [
          {
            kind: 'delete',
            where: {
              table: UPDATE_SESSION_FILES,
              match: { session_id: event.data.sessionId, name: event.data.name },
              olderThan: version,
            },
          },
          movingTheSessionDeadline(event.data, version),
        ];
      case 'UpdateSessionFileTransferStarted':
        return [
          {
            kind: 'update',
            where: transfer(event.data),
            set: { status: 'TRANSFERRING', last_stream_version: version },
          },
          movingTheSessionDeadline(event.data, version),
        ];
      case 'UpdateSessionFileReceived':
        return [
          {
            kind: 'update',
            where: transfer(event.data),
            set: {
              status: 'READY',
              size: event.data.size,
              digests: event.data.digests,
              warnings: event.data.warnings?.length ? event.data.warnings : null,
              last_stream_version: version,
            },
          },
          movingTheSessionDeadline(event.data, version),
        ];
      case 'UpdateSessionFileTransferFailed':
        return [
          {
            kind: 'update',
            where: transfer(event.data),
            set: {
              status: 'ERROR',
              error_message: event.data.errorMessage,
              last_stream_version: version,
            },
          },
          movingTheSessionDeadline(event.data, version),
        ];
      case 'UpdateSessionArchiveUnpacked': {
        const d = event.data;
        const archive = transfer(d);
        // A member named like the archive takes its row over instead (one row is touched once).
        const archiveRowStays = d.members.some((member) => member.name === d.name);
        return [
          ...(archiveRowStays ? [] : [{ kind: 'delete', where: archive } as const]),
          {
            kind: 'insert',
            table: UPDATE_SESSION_FILES,
            existing: 'replace',
            rows: d.members.map((member) =>
              fileRow(d.sessionId, member.name, version, {
                transfer_id: member.transferId,
                size: member.size,
                digests: member.digests,
              }),
            ),
            onlyIf: { exists: archive },
            inherit: ['source_type'],
          },
          movingTheSessionDeadline(d, version),
        ];
      }
      case 'UpdateSessionDeleted':
      case 'UpdateSessionPurged':
        return [
          {
            kind: 'delete',
            where: { table: UPDATE_SESSION_FILES, match: { session_id: event.data.sessionId } },
          },
        ];
      default:
        return [];
    }
  },
};
