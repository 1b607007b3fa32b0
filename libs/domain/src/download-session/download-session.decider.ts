import type {
  CreateDownloadSession,
  DownloadSessionCommand,
  ExpireDownloadSession,
  PrepareDownloadSessionFile,
} from './download-session.commands';
import type { DownloadSessionEvent } from './download-session.events';
import type { ActiveDownloadSession, DownloadSessionState } from './download-session.state';
import { evolveDownloadSession, initialDownloadSessionState } from './download-session.state';
import { assertNever } from '../shared/assert-never';
import type { Caller } from '../shared/caller';
import type { Decider } from '../shared/decider';
import { addSeconds } from '../shared/decider';
import { AlreadyExists, invalidArgument } from '../shared/errors';
import { message } from '../shared/message';
import { activeSession, sessionDeadline, visibleSession } from '../shared/session-rules';
import { nextClientProgress } from '../update-session/update-session.decider';

type Envelope = { readonly sessionId: string; readonly caller: Caller };

function visible(
  command: Envelope,
  state: DownloadSessionState,
): Exclude<DownloadSessionState, { status: 'EMPTY' | 'DELETED' }> {
  return visibleSession('download_session', command, state);
}

function active(
  operation: string,
  command: Envelope,
  state: DownloadSessionState,
): ActiveDownloadSession {
  return activeSession('download_session', operation, command, state);
}

function create(
  command: CreateDownloadSession,
  state: DownloadSessionState,
): DownloadSessionEvent[] {
  if (state.status !== 'EMPTY') {
    // Ids derive from (caller, client token): a retried create finds its own session.
    if (
      state.status !== 'DELETED' &&
      command.clientToken !== undefined &&
      state.clientToken === command.clientToken
    ) {
      return [];
    }
    throw new AlreadyExists(
      message(
        'com.vmware.vdcs.cls-main.download_session_exists_id',
        `Download session ${command.sessionId} already exists.`,
        [command.sessionId],
      ),
    );
  }
  return [
    {
      type: 'DownloadSessionCreated',
      data: {
        sessionId: command.sessionId,
        libraryItemId: command.item.id,
        libraryId: command.item.libraryId,
        itemContentVersion: command.item.contentVersion,
        files: command.item.files,
        owner: command.caller.user,
        ...(command.clientToken === undefined ? {} : { clientToken: command.clientToken }),
        createdAt: command.now,
        expiresAt: addSeconds(command.now, command.timeoutSeconds),
      },
    },
  ];
}

/** `prepare` (§6.3): local bytes are PREPARED at once; asking again for the same kind changes nothing. */
function prepare(
  command: PrepareDownloadSessionFile,
  state: DownloadSessionState,
): DownloadSessionEvent[] {
  const session = active('prepare', command, state);
  const file = session.files[command.name];
  if (!file) {
    throw invalidArgument('file_name', `the download session has no file named "${command.name}"`);
  }
  if (file.preparedAs === command.endpointType) return [];
  return [
    {
      type: 'DownloadSessionFilePrepared',
      data: {
        sessionId: command.sessionId,
        name: command.name,
        endpointType: command.endpointType,
        expiresAt: addSeconds(command.now, command.timeoutSeconds),
      },
    },
  ];
}

/** Idle ACTIVE sessions are removed; canceled or failed ones are purged after their retention. */
function expire(
  command: ExpireDownloadSession,
  state: DownloadSessionState,
): DownloadSessionEvent[] {
  if (state.status === 'EMPTY' || state.status === 'DELETED') return [];
  const deadline = sessionDeadline(state.expiresAt, command.activityExpiresAt);
  if (Date.parse(command.now) < Date.parse(deadline)) return [];
  const removal = { sessionId: command.sessionId, libraryItemId: state.libraryItemId };
  return state.status === 'ACTIVE'
    ? [{ type: 'DownloadSessionExpired', data: { ...removal, expiredAt: command.now } }]
    : [{ type: 'DownloadSessionPurged', data: { ...removal, purgedAt: command.now } }];
}

export const downloadSessionDecider: Decider<
  DownloadSessionState,
  DownloadSessionCommand,
  DownloadSessionEvent
> = {
  streamType: 'download_session',
  initialState: initialDownloadSessionState,
  evolve: evolveDownloadSession,
  decide(command, state) {
    const expiresAt = addSeconds(command.now, command.timeoutSeconds);
    switch (command.type) {
      case 'CreateDownloadSession':
        return create(command, state);
      case 'KeepDownloadSessionAlive': {
        const session = active('keep_alive', command, state);
        return [
          {
            type: 'DownloadSessionKeptAlive',
            data: {
              sessionId: command.sessionId,
              progress: nextClientProgress(session.progress, command.progress),
              expiresAt,
            },
          },
        ];
      }
      case 'PrepareDownloadSessionFile':
        return prepare(command, state);
      case 'CancelDownloadSession': {
        const session = active('cancel', command, state);
        return [
          {
            type: 'DownloadSessionCanceled',
            data: {
              sessionId: command.sessionId,
              libraryItemId: session.libraryItemId,
              canceledAt: command.now,
              expiresAt,
            },
          },
        ];
      }
      case 'FailDownloadSession': {
        const session = active('fail', command, state);
        return [
          {
            type: 'DownloadSessionFailed',
            data: {
              sessionId: command.sessionId,
              libraryItemId: session.libraryItemId,
              errorMessage: message(
                'com.vmware.vdcs.cls-main.download_session_failed_by_client',
                `The download of library item ${session.libraryItemId} has failed. Reason: ${command.clientErrorMessage}`,
                [session.libraryItemId, command.clientErrorMessage],
              ),
              failedAt: command.now,
              expiresAt,
            },
          },
        ];
      }
      case 'DeleteDownloadSession': {
        // Unlike update sessions, any state may be deleted, ACTIVE included (§6.2).
        const session = visible(command, state);
        return [
          {
            type: 'DownloadSessionDeleted',
            data: {
              sessionId: command.sessionId,
              libraryItemId: session.libraryItemId,
              deletedAt: command.now,
            },
          },
        ];
      }
      case 'ExpireDownloadSession':
        return expire(command, state);
      default:
        return assertNever(command);
    }
  },
};
