import type { Reaction } from '../shared/jobs';
import type { LibraryItemEvent } from './library-item.events';
import { EMPTY_CONTENT_VERSION } from './library-item.state';

/** The job that deletes an item's stored files nothing references any more (ADR 0004). */
export function collectGarbageOf(itemId: string, eventId: string): Reaction {
  return {
    job: 'collect-garbage',
    jobId: `${eventId}-collect-garbage`,
    data: { itemId, causationId: eventId },
  };
}

/**
 * Event → follow-up jobs for items: a commit may leave the previous version unreferenced, a
 * deletion every version; the collector keeps whatever a download session still serves. An item's
 * first commit replaces the empty version, which stored nothing: it has nothing to collect (files a
 * failed completion moved into place go with that session's discard).
 */
export function libraryItemReactions(event: LibraryItemEvent, eventId: string): Reaction[] {
  switch (event.type) {
    case 'LibraryItemContentCommitted':
      return event.data.contentVersion > EMPTY_CONTENT_VERSION + 1
        ? [collectGarbageOf(event.data.itemId, eventId)]
        : [];
    case 'LibraryItemDeleted':
      return [collectGarbageOf(event.data.itemId, eventId)];
    // A copy is its item's first content: nothing it replaced was stored.
    case 'LibraryItemContentCopied':
      return [];
    default:
      return [];
  }
}
