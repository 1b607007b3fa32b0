import type {
  DownloadSessionEvent,
  LibraryEvent,
  LibraryItemEvent,
  UpdateSessionEvent,
} from '@cls/domain';
import type { InlineProjection, RecordedEvent, RowChange } from '@cls/event-store';

import { STREAM_SCOPES } from './projected-tables';

type CreationEvent = LibraryEvent | LibraryItemEvent | UpdateSessionEvent | DownloadSessionEvent;

/** Where a stream belongs, from its creation event; `undefined` for every later event. */
function scopeOf(
  event: CreationEvent,
): { readonly libraryId: string; readonly libraryItemId: string | null } | undefined {
  switch (event.type) {
    case 'LocalLibraryCreated':
      return { libraryId: event.data.libraryId, libraryItemId: null };
    case 'LibraryItemCreated':
      return { libraryId: event.data.libraryId, libraryItemId: event.data.itemId };
    case 'UpdateSessionCreated':
    case 'DownloadSessionCreated':
      return { libraryId: event.data.libraryId, libraryItemId: event.data.libraryItemId };
    default:
      return undefined;
  }
}

/**
 * The audit index: each stream's library and item, written once at creation and never deleted,
 * so audit queries by item or library find a session's events after its view is purged.
 */
export const streamScopeViewProjection: InlineProjection = {
  name: 'stream_scope_view',
  eventTypes: [
    'LocalLibraryCreated',
    'LibraryItemCreated',
    'UpdateSessionCreated',
    'DownloadSessionCreated',
  ],
  changesOf(recorded: RecordedEvent): RowChange[] {
    const scope = scopeOf({ type: recorded.type, data: recorded.data } as CreationEvent);
    if (!scope) return [];
    return [
      {
        kind: 'insert',
        table: STREAM_SCOPES,
        existing: 'keep',
        rows: [
          {
            stream_id: recorded.streamId,
            stream_type: recorded.streamType,
            library_id: scope.libraryId,
            library_item_id: scope.libraryItemId,
          },
        ],
      },
    ];
  },
};
