import type { DownloadSessionEvent } from './download-session.events';
import { collectGarbageOf } from '../library-item/library-item.reactions';
import type { Reaction } from '../shared/jobs';

/**
 * Event → follow-up jobs for download sessions (STYLE §6): every deadline an event sets gets an
 * expiry job that asks the decider then, so an idle session is removed and a finished one purged;
 * a session that ends releases the content version it pinned to the garbage collector.
 */
export function downloadSessionReactions(event: DownloadSessionEvent, eventId: string): Reaction[] {
  const reactions: Reaction[] = [];
  if ('expiresAt' in event.data) {
    reactions.push({
      job: 'expire-download-session',
      jobId: `${eventId}-expire-download-session`,
      data: { sessionId: event.data.sessionId, causationId: eventId },
      runAt: event.data.expiresAt,
    });
  }
  switch (event.type) {
    // From these on the session's pinned bytes are served no more.
    case 'DownloadSessionCanceled':
    case 'DownloadSessionFailed':
    case 'DownloadSessionExpired':
    case 'DownloadSessionDeleted':
      reactions.push(collectGarbageOf(event.data.libraryItemId, eventId));
      break;
    default:
      break;
  }
  return reactions;
}
