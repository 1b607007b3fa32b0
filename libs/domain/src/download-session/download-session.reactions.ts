import type { DownloadSessionEvent } from './download-session.events';
import { collectGarbageOf } from '../library-item/library-item.reactions';
import type { Reaction } from '../shared/jobs';

/**
 * Event → follow-up jobs for download sessions (STYLE §6): a new session gets its expiry job, which
 * asks the decider at each deadline, so an idle session is removed and a finished one purged;
 * a session that ends releases the content version it pinned to the garbage collector.
 */
export function downloadSessionReactions(event: DownloadSessionEvent, eventId: string): Reaction[] {
  const reactions: Reaction[] = [];
  // One expiry job per session: it follows the deadline as later events move it (nextExpiryCheck).
  if (event.type === 'DownloadSessionCreated') {
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
