import type { DownloadEndpointType, DownloadSessionEvent } from './download-session.events';
import type { StoredFile } from '../content/content.types';
import { assertNever } from '../shared/assert-never';
import type { Message } from '../shared/message';

/** One file the session serves: the stored bytes of its version, and how the client may fetch them. */
export interface DownloadFile {
  readonly stored: StoredFile;
  /** Absent while UNPREPARED. */
  readonly preparedAs?: DownloadEndpointType;
}

interface Identity {
  readonly sessionId: string;
  readonly libraryItemId: string;
  readonly owner: string;
  readonly clientToken?: string;
  readonly itemContentVersion: number;
  readonly expiresAt: string;
  readonly files: Readonly<Record<string, DownloadFile>>;
}

export type ActiveDownloadSession = Identity & {
  readonly status: 'ACTIVE';
  readonly progress: number;
};

export type FinishedDownloadSession = Identity & {
  readonly status: 'CANCELED' | 'ERROR';
  readonly errorMessage?: Message;
};

export type DownloadSessionState =
  | { readonly status: 'EMPTY' }
  | ActiveDownloadSession
  | FinishedDownloadSession
  | { readonly status: 'DELETED'; readonly sessionId: string };

export function initialDownloadSessionState(): DownloadSessionState {
  return { status: 'EMPTY' };
}

export function evolveDownloadSession(
  state: DownloadSessionState,
  event: DownloadSessionEvent,
): DownloadSessionState {
  const current = state.status === 'EMPTY' || state.status === 'DELETED' ? undefined : state;
  switch (event.type) {
    case 'DownloadSessionCreated':
      return {
        status: 'ACTIVE',
        sessionId: event.data.sessionId,
        libraryItemId: event.data.libraryItemId,
        owner: event.data.owner,
        ...(event.data.clientToken === undefined ? {} : { clientToken: event.data.clientToken }),
        itemContentVersion: event.data.itemContentVersion,
        expiresAt: event.data.expiresAt,
        progress: 0,
        files: Object.fromEntries(event.data.files.map((stored) => [stored.name, { stored }])),
      };
    case 'DownloadSessionKeptAlive':
      return state.status === 'ACTIVE'
        ? { ...state, progress: event.data.progress, expiresAt: event.data.expiresAt }
        : state;
    case 'DownloadSessionFilePrepared': {
      if (state.status !== 'ACTIVE') return state;
      const file = state.files[event.data.name];
      if (!file) return state;
      return {
        ...state,
        expiresAt: event.data.expiresAt,
        files: {
          ...state.files,
          [event.data.name]: { ...file, preparedAs: event.data.endpointType },
        },
      };
    }
    case 'DownloadSessionCanceled':
      return current ? { ...current, status: 'CANCELED', expiresAt: event.data.expiresAt } : state;
    case 'DownloadSessionFailed':
      return current
        ? {
            ...current,
            status: 'ERROR',
            errorMessage: event.data.errorMessage,
            expiresAt: event.data.expiresAt,
          }
        : state;
    case 'DownloadSessionExpired':
    case 'DownloadSessionPurged':
    case 'DownloadSessionDeleted':
      return { status: 'DELETED', sessionId: event.data.sessionId };
    default:
      return assertNever(event);
  }
}
