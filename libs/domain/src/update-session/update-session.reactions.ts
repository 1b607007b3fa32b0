import type { UpdateSessionEvent } from './update-session.events';
import type { JobName, Reaction } from '../shared/jobs';
import { ovfRole } from '../content/ovf-file-role';

/**
 * Ends that leave staging and maybe stored-but-uncommitted files behind. A completion clears its own
 * staging and pull secrets as it commits; the fleet sweep catches what a crash left of those.
 */
const ABANDONED = new Set<UpdateSessionEvent['type']>([
  'UpdateSessionCanceled',
  'UpdateSessionExpired',
  'UpdateSessionFailed',
]);

/**
 * Event → follow-up jobs, for the outbox relay (STYLE §6). A new session gets its expiry job, which
 * asks the decider at each deadline until the session is purged; staged bytes of a canceled, expired or failed session are swept up; a pull
 * starts when its file is added; a received `.ova` is offered for unpacking (the worker checks the
 * item is OVF); a postponed completion is retried whenever the request is recorded, an archive is
 * unpacked or a file lands after the request, so whichever comes last finishes it.
 */
export function updateSessionReactions(event: UpdateSessionEvent, eventId: string): Reaction[] {
  const reactions: Reaction[] = [];
  const base = { sessionId: event.data.sessionId, causationId: eventId };
  const react = (job: JobName, extra: Record<string, string> = {}, runAt?: string): void => {
    reactions.push({
      job,
      jobId: `${eventId}-${job}`,
      data: { ...base, ...extra },
      ...(runAt === undefined ? {} : { runAt }),
    });
  };
  if (event.type === 'UpdateSessionFileAdded' && event.data.sourceType === 'PULL') {
    react('pull-file', { transferId: event.data.transferId });
  }
  if (event.type === 'UpdateSessionFileReceived' && ovfRole(event.data.name) === 'archive') {
    react('unpack-archive', { transferId: event.data.transferId });
  }
  if (
    (event.type === 'UpdateSessionFileReceived' && event.data.completionRequested) ||
    event.type === 'UpdateSessionCompletionRequested' ||
    event.type === 'UpdateSessionArchiveUnpacked'
  ) {
    react('finish-completion');
  }
  if (ABANDONED.has(event.type)) react('discard-staging');
  // One expiry job per session: it follows the deadline as later events move it (nextExpiryCheck).
  if (event.type === 'UpdateSessionCreated') react('expire-session', {}, event.data.expiresAt);
  return reactions;
}
