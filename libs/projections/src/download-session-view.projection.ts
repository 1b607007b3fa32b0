import { createHash } from 'node:crypto';

import type { DownloadSessionEvent } from '@cls/domain';
import { uuidFromHex } from '@cls/domain';
import type { InlineProjection, RecordedEvent, RowChange } from '@cls/event-store';

import { DOWNLOAD_SESSION_FILES, DOWNLOAD_SESSIONS } from './projected-tables';

/** Names the file in download URLs; derived from (session, name), so a replay gives the same. */
function downloadFileIdOf(sessionId: string, name: string): string {
  return uuidFromHex(createHash('md5').update(`${sessionId}/${name}`).digest('hex'));
}

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
  changesOf(recorded: RecordedEvent): RowChange[] {
    const event = { type: recorded.type, data: recorded.data } as DownloadSessionEvent;
    const version = recorded.streamVersion;
    const thisSession = {
      table: DOWNLOAD_SESSIONS,
      match: { id: event.data.sessionId },
    };
    const olderSession = { ...thisSession, olderThan: version };
    switch (event.type) {
      case 'DownloadSessionCreated': {
        const d = event.data;
        return [
          {
            kind: 'insert',
            table: DOWNLOAD_SESSIONS,
            existing: 'keep',
            rows: [
              {
                id: d.sessionId,
                library_item_id: d.libraryItemId,
                library_id: d.libraryId,
                library_item_content_version: d.itemContentVersion,
                owner: d.owner,
                client_token: d.clientToken ?? null,
                state: 'ACTIVE',
                client_progress: 0,
                expiration_time: d.expiresAt,
                error_message: null,
                creation_time: d.createdAt,
                last_stream_version: version,
              },
            ],
          },
          {
            kind: 'insert',
            table: DOWNLOAD_SESSION_FILES,
            existing: 'keep',
            rows: d.files.map((file) => ({
              session_id: d.sessionId,
              name: file.name,
              file_id: downloadFileIdOf(d.sessionId, file.name),
              size: file.size,
              digests: file.digests,
              storage_key: file.storageKey,
              status: 'UNPREPARED',
              endpoint_type: null,
              bytes_transferred: 0,
              last_stream_version: version,
            })),
            // Files come with a new session only, never with a replayed one.
            onlyIf: { absent: thisSession },
          },
        ];
      }
      case 'DownloadSessionKeptAlive':
        return [
          {
            kind: 'update',
            where: olderSession,
            set: {
              client_progress: event.data.progress,
              expiration_time: event.data.expiresAt,
              last_stream_version: version,
            },
          },
        ];
      case 'DownloadSessionFilePrepared':
        return [
          {
            kind: 'update',
            where: {
              table: DOWNLOAD_SESSION_FILES,
              match: { session_id: event.data.sessionId, name: event.data.name },
              olderThan: version,
            },
            set: {
              status: 'PREPARED',
              endpoint_type: event.data.endpointType,
              last_stream_version: version,
            },
          },
          {
            kind: 'update',
            where: olderSession,
            set: { expiration_time: event.data.expiresAt, last_stream_version: version },
          },
        ];
      case 'DownloadSessionCanceled':
      case 'DownloadSessionFailed':
        return [
          {
            kind: 'update',
            where: olderSession,
            set: {
              state: event.type === 'DownloadSessionFailed' ? 'ERROR' : 'CANCELED',
              expiration_time: event.data.expiresAt,
              error_message:
                event.type === 'DownloadSessionFailed' ? event.data.errorMessage : null,
              last_stream_version: version,
            },
          },
        ];
      case 'DownloadSessionExpired':
      case 'DownloadSessionPurged':
      case 'DownloadSessionDeleted':
        // The files go with their session; the history stays in the events.
        return [
          { kind: 'delete', where: thisSession },
          {
            kind: 'delete',
            where: { table: DOWNLOAD_SESSION_FILES, match: { session_id: event.data.sessionId } },
          },
        ];
    }
  },
};
