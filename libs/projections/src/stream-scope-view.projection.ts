import type {
  DownloadSessionEvent,
  LibraryEvent,
  LibraryItemEvent,
  UpdateSessionEvent,
} from '@cls/domain';
import type { InlineProjection, RecordedEvent, SqlExecutor } from '@cls/event-store';

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
 * The audit index (issue 6 §1): each stream's library and item, written once at creation and never
 * deleted, so audit queries by item or library find a session's events after its view is purged.
 */
export const streamScopeViewProjection: InlineProjection = {
  name: 'stream_scope_view',
  eventTypes: [
    'LocalLibraryCreated',
    'LibraryItemCreated',
    'UpdateSessionCreated',
    'DownloadSessionCreated',
  ],
  async apply(sql: SqlExecutor, recorded: RecordedEvent): Promise<void> {
    const scope = scopeOf({ type: recorded.type, data: recorded.data } as CreationEvent);
    if (!scope) return;
    await sql.query(
      `INSERT INTO stream_scope_view (stream_id, stream_type, library_id, library_item_id)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (stream_id) DO NOTHING`,
      [recorded.streamId, recorded.streamType, scope.libraryId, scope.libraryItemId],
    );
  },
};
