import type { Caller } from './caller';
import { canSee } from './caller';
import { invalidSessionState, notFound } from './errors';
import type { Message } from './message';

type SessionKind = 'update_session' | 'download_session';
type Gone = { readonly status: 'EMPTY' | 'DELETED' };
type Envelope = { readonly sessionId: string; readonly caller: Caller };

/**
 * Transfer sessions the caller may not see do not exist for them, so ids can't be probed:
 * unknown, deleted and other users' sessions are all `not_found`.
 */
export function visibleSession<S extends { readonly status: string }>(
  kind: SessionKind,
  command: Envelope,
  state: S,
): Exclude<S, Gone> {
  const owned = state as unknown as { readonly status: string; readonly owner?: string };
  if (
    owned.status === 'EMPTY' ||
    owned.status === 'DELETED' ||
    owned.owner === undefined ||
    !canSee(command.caller, owned.owner)
  ) {
    throw notFound(kind, command.sessionId);
  }
  return state as Exclude<S, Gone>;
}

/** A visible session that must be ACTIVE for `operation`; otherwise the observed NAICS error. */
export function activeSession<S extends { readonly status: string }>(
  kind: SessionKind,
  operation: string,
  command: Envelope,
  state: S,
): Extract<S, { readonly status: 'ACTIVE' }> {
  const session = visibleSession(kind, command, state) as unknown as {
    readonly status: string;
    readonly errorMessage?: Message;
  };
  if (session.status !== 'ACTIVE') {
    throw invalidSessionState(operation, session.status, session.errorMessage?.defaultMessage);
  }
  return session as unknown as Extract<S, { readonly status: 'ACTIVE' }>;
}

/** The later of the deadline the events set and one that activity outside events moved (§8.5). */
export function sessionDeadline(eventsDeadline: string, activityDeadline?: string): string {
  return activityDeadline !== undefined && activityDeadline > eventsDeadline
    ? activityDeadline
    : eventsDeadline;
}

/**
 * When a session's expiry job must ask again (§8.5): its deadline (an ACTIVE session's idle
 * timeout, a finished one's purge), or never once it is purged. One job per session follows the
 * deadline as it moves, rather than one job per event that moved it.
 */
export function nextExpiryCheck(
  state: { readonly status: string; readonly expiresAt?: string; readonly completeBy?: string },
  activityDeadline?: string,
): string | undefined {
  // A completion the service owes is due by its own deadline, whatever the client does.
  if (state.status === 'ACTIVE' && state.completeBy !== undefined) return state.completeBy;
  if (state.expiresAt === undefined) return undefined;
  return sessionDeadline(state.expiresAt, activityDeadline);
}
