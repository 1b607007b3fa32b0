import type { UpdateSessionEvent, WarningBehavior } from './update-session.events';
import type { SessionFile } from '../content/content.types';
import { assertNever } from '../shared/assert-never';
import type { Message } from '../shared/message';

interface Identity {
  readonly sessionId: string;
  readonly libraryItemId: string;
  readonly owner: string;
  readonly clientToken?: string;
  readonly itemType?: string;
  readonly expiresAt: string;
  /** The session's file list by name; terminal sessions keep it so staged bytes can be found. */
  readonly files: Readonly<Record<string, SessionFile>>;
}

export type ActiveUpdateSession = Identity & {
  readonly status: 'ACTIVE';
  readonly clientProgress: number;
  readonly warningBehavior: readonly WarningBehavior[];
  /** `complete` came while PULL files were in flight; the last one to arrive finishes it. */
  readonly completionRequested: boolean;
  /** Once completion is requested: the service owes the work, and fails the session if not done by then. */
  readonly completeBy?: string;
};

export type FinishedUpdateSession = Identity & {
  readonly status: 'DONE' | 'ERROR' | 'CANCELED';
  readonly errorMessage?: Message;
};

export type UpdateSessionState =
  | { readonly status: 'EMPTY' }
  | ActiveUpdateSession
  | FinishedUpdateSession
  | { readonly status: 'DELETED'; readonly sessionId: string };

export function initialUpdateSessionState(): UpdateSessionState {
  return { status: 'EMPTY' };
}

function identity(state: UpdateSessionState): Identity | undefined {
  return state.status === 'EMPTY' || state.status === 'DELETED' ? undefined : state;
}

/**
 * The transfers whose bytes the session may hold in staging: its files' own transfers, whatever
 * their status (a file removed from the session had its staging discarded with it).
 */
export function transfersOf(state: UpdateSessionState): string[] {
  return Object.values(identity(state)?.files ?? {}).flatMap((file) =>
    file.transferId === undefined ? [] : [file.transferId],
  );
}

/** Applies a change to one file of an ACTIVE session, if that file is still the given transfer. */
function withFile(
  state: UpdateSessionState,
  name: string,
  transferId: string | undefined,
  change: (file: SessionFile) => SessionFile,
  expiresAt: string,
): UpdateSessionState {
  if (state.status !== 'ACTIVE') return state;
  const file = state.files[name];
  if (!file || (transferId !== undefined && file.transferId !== transferId))
    return { ...state, expiresAt };
  return { ...state, expiresAt, files: { ...state.files, [name]: change(file) } };
}

export function evolveUpdateSession(
  state: UpdateSessionState,
  event: UpdateSessionEvent,
): UpdateSessionState {
  const current = identity(state);
  switch (event.type) {
    case 'UpdateSessionCreated':
      return {
        status: 'ACTIVE',
        sessionId: event.data.sessionId,
        libraryItemId: event.data.libraryItemId,
        owner: event.data.owner,
        ...(event.data.clientToken === undefined ? {} : { clientToken: event.data.clientToken }),
        ...(event.data.itemType === undefined ? {} : { itemType: event.data.itemType }),
        expiresAt: event.data.expiresAt,
        clientProgress: 0,
        warningBehavior: event.data.warningBehavior,
        completionRequested: false,
        files: Object.fromEntries(
          event.data.snapshot.map((stored) => [
            stored.name,
            {
              name: stored.name,
              sourceType: 'NONE',
              status: 'READY',
              size: stored.size,
              digests: stored.digests,
              storageKey: stored.storageKey,
            },
          ]),
        ),
      };
    case 'UpdateSessionKeptAlive':
      return state.status === 'ACTIVE'
        ? { ...state, clientProgress: event.data.clientProgress, expiresAt: event.data.expiresAt }
        : state;
    case 'UpdateSessionWarningBehaviorUpdated':
      return state.status === 'ACTIVE'
        ? { ...state, warningBehavior: event.data.warningBehavior, expiresAt: event.data.expiresAt }
        : state;
    case 'UpdateSessionCompleted':
      return current ? { ...current, status: 'DONE', expiresAt: event.data.expiresAt } : state;
    case 'UpdateSessionCompletionRequested':
      return state.status === 'ACTIVE'
        ? {
            ...state,
            completionRequested: true,
            completeBy: event.data.completeBy ?? event.data.expiresAt,
            expiresAt: event.data.expiresAt,
          }
        : state;
    case 'UpdateSessionCanceled':
    case 'UpdateSessionExpired':
      return current ? { ...current, status: 'CANCELED', expiresAt: event.data.expiresAt } : state;
    case 'UpdateSessionFailed':
      return current
        ? {
            ...current,
            status: 'ERROR',
            errorMessage: event.data.errorMessage,
            expiresAt: event.data.expiresAt,
          }
        : state;
    case 'UpdateSessionDeleted':
    case 'UpdateSessionPurged':
      return { status: 'DELETED', sessionId: event.data.sessionId };
    case 'UpdateSessionFileAdded': {
      if (state.status !== 'ACTIVE') return state;
      const { name, sourceType, transferId, declaredSize, expectedChecksum, sourceEndpoint } =
        event.data;
      const file: SessionFile = {
        name,
        sourceType,
        status: 'WAITING_FOR_TRANSFER',
        transferId,
        ...(declaredSize === undefined ? {} : { declaredSize }),
        ...(expectedChecksum === undefined ? {} : { expectedChecksum }),
        ...(sourceEndpoint === undefined ? {} : { sourceEndpoint }),
      };
      return { ...state, expiresAt: event.data.expiresAt, files: { ...state.files, [name]: file } };
    }
    case 'UpdateSessionFileRemoved': {
      if (state.status !== 'ACTIVE') return state;
      const files = Object.fromEntries(
        Object.entries(state.files).filter(([name]) => name !== event.data.name),
      );
      return { ...state, expiresAt: event.data.expiresAt, files };
    }
    case 'UpdateSessionFileTransferStarted':
      return withFile(
        state,
        event.data.name,
        event.data.transferId,
        (file) => ({ ...file, status: 'TRANSFERRING' }),
        event.data.expiresAt,
      );
    case 'UpdateSessionFileReceived':
      return withFile(
        state,
        event.data.name,
        event.data.transferId,
        (file) => ({
          ...file,
          status: 'READY',
          size: event.data.size,
          digests: event.data.digests,
          ...(event.data.warnings?.length ? { warnings: event.data.warnings } : {}),
        }),
        event.data.expiresAt,
      );
    case 'UpdateSessionFileTransferFailed':
      return withFile(
        state,
        event.data.name,
        event.data.transferId,
        (file) => ({ ...file, status: 'ERROR', errorMessage: event.data.errorMessage }),
        event.data.expiresAt,
      );
    case 'UpdateSessionArchiveUnpacked': {
      if (state.status !== 'ACTIVE') return state;
      const archive = state.files[event.data.name];
      if (archive?.transferId !== event.data.transferId) return state;
      const files: Record<string, SessionFile> = Object.fromEntries(
        Object.entries(state.files).filter(([name]) => name !== event.data.name),
      );
      for (const member of event.data.members) {
        files[member.name] = {
          name: member.name,
          sourceType: archive.sourceType,
          status: 'READY',
          transferId: member.transferId,
          size: member.size,
          digests: member.digests,
        };
      }
      return { ...state, expiresAt: event.data.expiresAt, files };
    }
    default:
      return assertNever(event);
  }
}
