import type { LibraryItemEvent } from './library-item.events';
import type { Reaction } from '../shared/jobs';

/** The job that deletes an item's stored files nothing references any more (issue 5 §4). */
export function collectGarbageOf(itemId: string, eventId: string): Reaction {
  return {
    job: 'collect-garbage',
    jobId: `${eventId}-collect-garbage`,
    data: { itemId, causationId: eventId },
  };
}

/**
 * Event → follow-up jobs for items: a commit may leave the previous version unreferenced, a
 * deletion every version; the collector keeps whatever a download session still serves.
 */
export function libraryItemReactions(event: LibraryItemEvent, eventId: string): Reaction[] {
  switch (event.type) {
    case 'LibraryItemContentCommitted':
    case 'LibraryItemDeleted':
      return [collectGarbageOf(event.data.itemId, eventId)];
    default:
      return [];
  }
}
