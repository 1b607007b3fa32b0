import type { UpdateSessionEvent } from '@cls/domain';
import { updateSessionExists } from '@cls/domain';
import type { InlineProjection, RecordedEvent, RowChange } from '@cls/event-store';

import { UPDATE_SESSIONS } from './projected-tables';

const STATE_AFTER = {
  UpdateSessionCompleted: 'DONE',
  UpdateSessionCanceled: 'CANCELED',
  UpdateSessionExpired: 'CANCELED',
  UpdateSessionFailed: 'ERROR',
} as const;

/**
 * The `UpdateSessionModel` view. Its partial unique index (one ACTIVE session per item) is the
 * real guard against racing creates: a refused insert vetoes the whole append.
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
  changesOf(recorded: RecordedEvent): RowChange[] {
    const event = { type: recorded.type, data: recorded.data } as UpdateSessionEvent;
    const version = recorded.streamVersion;
    const thisSession = (sessionId: string) => ({
      table: UPDATE_SESSIONS,
      match: { id: sessionId },
      olderThan: version,
    });
    switch (event.type) {
      case 'UpdateSessionCreated': {
        const d = event.data;
        return [
          {
            kind: 'insert',
            table: UPDATE_SESSIONS,
            existing: 'keep',
            rows: [
              {
                id: d.sessionId,
                library_item_id: d.libraryItemId,
                library_item_content_version: d.itemContentVersion,
                owner: d.owner,
                client_token: d.clientToken ?? null,
                state: 'ACTIVE',
                client_progress: 0,
                expiration_time: d.expiresAt,
                warning_behavior: d.warningBehavior,
                error_message: null,
                completion_requested: false,
                creation_time: d.createdAt,
                last_stream_version: version,
              },
            ],
            refused: () => Promise.resolve(updateSessionExists(d.libraryItemId)),
          },
        ];
      }
      case 'UpdateSessionKeptAlive':
        return [
          {
            kind: 'update',
            where: thisSession(event.data.sessionId),
            set: {
              client_progress: event.data.clientProgress,
              expiration_time: event.data.expiresAt,
              last_stream_version: version,
            },
          },
        ];
      case 'UpdateSessionWarningBehaviorUpdated':
        return [
          {
            kind: 'update',
            where: thisSession(event.data.sessionId),
            set: {
              warning_behavior: event.data.warningBehavior,
              expiration_time: event.data.expiresAt,
              last_stream_version: version,
            },
          },
        ];
      case 'UpdateSessionCompleted':
      case 'UpdateSessionCanceled':
      case 'UpdateSessionExpired':
      case 'UpdateSessionFailed':
        return [
          {
            kind: 'update',
            where: thisSession(event.data.sessionId),
            set: {
              state: STATE_AFTER[event.type],
              expiration_time: event.data.expiresAt,
              error_message: event.type === 'UpdateSessionFailed' ? event.data.errorMessage : null,
              last_stream_version: version,
            },
          },
        ];
      case 'UpdateSessionDeleted':
      case 'UpdateSessionPurged':
        return [
          {
            kind: 'delete',
            where: { table: UPDATE_SESSIONS, match: { id: event.data.sessionId } },
          },
        ];
      case 'UpdateSessionCompletionRequested':
        return [
          {
            kind: 'update',
            where: thisSession(event.data.sessionId),
            set: {
              completion_requested: true,
              expiration_time: event.data.expiresAt,
              last_stream_version: version,
            },
          },
        ];
      // File operations move the expiry too: the file view's projection writes that.
      default:
        return [];
    }
  },
};
