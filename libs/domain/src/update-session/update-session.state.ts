import type { UpdateSessionEvent, WarningBehavior } from './update-session.events';
import { assertNever } from '../shared/assert-never';
import type { Message } from '../shared/message';

interface Identity {
  readonly sessionId: string;
  readonly libraryItemId: string;
  readonly owner: string;
  readonly clientToken?: string;
  readonly expiresAt: string;
}

export type ActiveUpdateSession = Identity & {
  readonly status: 'ACTIVE';
  readonly clientProgress: number;
  readonly warningBehavior: readonly WarningBehavior[];
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
        expiresAt: event.data.expiresAt,
        clientProgress: 0,
        warningBehavior: event.data.warningBehavior,
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
    case 'UpdateSessionCanceled':
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
      return { status: 'DELETED', sessionId: event.data.sessionId };
    default:
      return assertNever(event);
  }
}
