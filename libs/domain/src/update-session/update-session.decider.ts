import type {
  AdapterFindings,
  CancelUpdateSession,
  CompleteUpdateSession,
  CreateUpdateSession,
  DeleteUpdateSession,
  ExpireUpdateSession,
  FailUpdateSession,
  KeepUpdateSessionAlive,
  UpdateSessionCommand,
  UpdateUpdateSession,
} from './update-session.commands';
import {
  addFile,
  awaitingUnpack,
  failTransfer,
  fileNotReceived,
  isPullInFlight,
  missingOrInvalidFiles,
  recordReceived,
  removeFile,
  startTransfer,
  unignoredWarnings,
  unpackArchive,
  unreceivedFiles,
  validationOf,
} from './update-session-files';
import type { ValidationResult } from './update-session-files';
import type { UpdateSessionEvent } from './update-session.events';
import type { ActiveUpdateSession, UpdateSessionState } from './update-session.state';
import { evolveUpdateSession, initialUpdateSessionState } from './update-session.state';
import { assertNever } from '../shared/assert-never';
import type { Caller } from '../shared/caller';
import type { Decider } from '../shared/decider';
import { addSeconds } from '../shared/decider';
import { AlreadyExists, invalidSessionState, ResourceBusy } from '../shared/errors';
import { message } from '../shared/message';
import { activeSession, sessionDeadline, visibleSession } from '../shared/session-rules';

export const MAX_CLIENT_PROGRESS = 100;

export function updateSessionExists(itemId: string): ResourceBusy {
  return new ResourceBusy(
    message(
      'com.vmware.vdcs.cls-main.update_session_exists',
      `Library item ${itemId} already has an active update session.`,
      [itemId],
    ),
  );
}

type Envelope = Pick<Exclude<UpdateSessionCommand, CreateUpdateSession>, 'sessionId' | 'caller'>;
type Operation =
  | 'keep_alive'
  | 'update'
  | 'complete'
  | 'cancel'
  | 'fail'
  | 'add'
  | 'remove'
  | 'validate'
  | 'upload';

function visible(
  command: Envelope,
  state: UpdateSessionState,
): Exclude<UpdateSessionState, { status: 'EMPTY' | 'DELETED' }> {
  return visibleSession('update_session', command, state);
}

function active(
  operation: Operation,
  command: Envelope,
  state: UpdateSessionState,
): ActiveUpdateSession {
  return activeSession('update_session', operation, command, state);
}

function create(command: CreateUpdateSession, state: UpdateSessionState): UpdateSessionEvent[] {
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
        'com.vmware.vdcs.cls-main.update_session_exists_id',
        `Update session ${command.sessionId} already exists.`,
        [command.sessionId],
      ),
    );
  }
  return [
    {
      type: 'UpdateSessionCreated',
      data: {
        sessionId: command.sessionId,
        libraryItemId: command.item.id,
        libraryId: command.item.libraryId,
        itemContentVersion: command.item.contentVersion,
        ...(command.item.type === undefined ? {} : { itemType: command.item.type }),
        owner: command.caller.user,
        ...(command.clientToken === undefined ? {} : { clientToken: command.clientToken }),
        warningBehavior: command.warningBehavior,
        createdAt: command.now,
        snapshot: command.item.files,
        expiresAt: addSeconds(command.now, command.timeoutSeconds),
      },
    },
  ];
}

/** Progress only grows; values above 100 are capped and anything else is ignored (contract §10.6). */
export function nextClientProgress(current: number, reported: number | undefined): number {
  if (reported === undefined || !Number.isFinite(reported) || reported < 0) return current;
  return Math.max(current, Math.min(Math.trunc(reported), MAX_CLIENT_PROGRESS));
}

function keepAlive(
  command: KeepUpdateSessionAlive,
  state: UpdateSessionState,
): UpdateSessionEvent[] {
  const session = active('keep_alive', command, state);
  return [
    {
      type: 'UpdateSessionKeptAlive',
      data: {
        sessionId: command.sessionId,
        clientProgress: nextClientProgress(session.clientProgress, command.clientProgress),
        expiresAt: addSeconds(command.now, command.timeoutSeconds),
      },
    },
  ];
}

function update(command: UpdateUpdateSession, state: UpdateSessionState): UpdateSessionEvent[] {
  const session = active('update', command, state);
  return [
    {
      type: 'UpdateSessionWarningBehaviorUpdated',
      data: {
        sessionId: command.sessionId,
        warningBehavior: command.warningBehavior ?? session.warningBehavior,
        expiresAt: addSeconds(command.now, command.timeoutSeconds),
      },
    },
  ];
}

/**
 * Check order of §4.2: ACTIVE; every pushed file READY (PULLs in flight only postpone); then
 * un-ignored certificate warnings fail the session. The worker repeats this command when the last
 * pull lands, so a postponed completion ends DONE or ERROR without the client.
 */
function complete(command: CompleteUpdateSession, state: UpdateSessionState): UpdateSessionEvent[] {
  const session = active('complete', command, state);
  const unreceived = unreceivedFiles(session);
  const blocking = unreceived.find((file) => !isPullInFlight(file));
  if (blocking) throw fileNotReceived(blocking);
  if (unreceived.length > 0 || awaitingUnpack(session).length > 0) {
    if (session.completionRequested) return [];
    const completeBy = addSeconds(command.now, command.completionTimeoutSeconds);
    return [
      {
        type: 'UpdateSessionCompletionRequested',
        data: {
          sessionId: command.sessionId,
          requestedAt: command.now,
          completeBy,
          expiresAt: completeBy,
        },
      },
    ];
  }
  const findings = command.adapterFindings;
  if (findings && (findings.missingFiles.length > 0 || findings.invalidFiles.length > 0)) {
    throw missingOrInvalidFiles(findings);
  }
  const warnings = unignoredWarnings(session);
  if (warnings.length > 0) {
    const reasons = warnings.map((warning) => warning.message.defaultMessage).join(' ');
    return [
      {
        type: 'UpdateSessionFailed',
        data: {
          sessionId: command.sessionId,
          errorMessage: message(
            'com.vmware.vdcs.cls-main.update_session_unignored_warnings',
            `The import of library item ${session.libraryItemId} has warnings that the session does not ignore: ${reasons}`,
            [session.libraryItemId, reasons],
          ),
          failedAt: command.now,
          expiresAt: addSeconds(command.now, command.timeoutSeconds),
        },
      },
    ];
  }
  return [
    {
      type: 'UpdateSessionCompleted',
      data: {
        sessionId: command.sessionId,
        completedAt: command.now,
        expiresAt: addSeconds(command.now, command.timeoutSeconds),
      },
    },
  ];
}

function cancel(command: CancelUpdateSession, state: UpdateSessionState): UpdateSessionEvent[] {
  active('cancel', command, state);
  return [
    {
      type: 'UpdateSessionCanceled',
      data: {
        sessionId: command.sessionId,
        reason: command.reason,
        canceledAt: command.now,
        expiresAt: addSeconds(command.now, command.timeoutSeconds),
      },
    },
  ];
}

function fail(command: FailUpdateSession, state: UpdateSessionState): UpdateSessionEvent[] {
  const session = active('fail', command, state);
  return [
    {
      type: 'UpdateSessionFailed',
      data: {
        sessionId: command.sessionId,
        errorMessage: message(
          'com.vmware.vdcs.cls-main.update_session_failed_by_client',
          `The import of library item ${session.libraryItemId} has failed. Reason: ${command.clientErrorMessage}`,
          [session.libraryItemId, command.clientErrorMessage],
        ),
        failedAt: command.now,
        expiresAt: addSeconds(command.now, command.timeoutSeconds),
      },
    },
  ];
}

function remove(command: DeleteUpdateSession, state: UpdateSessionState): UpdateSessionEvent[] {
  const session = visible(command, state);
  if (session.status === 'ACTIVE')
    throw invalidSessionState('delete', session.status, 'cancel or complete the session first');
  return [
    {
      type: 'UpdateSessionDeleted',
      data: {
        sessionId: command.sessionId,
        libraryItemId: session.libraryItemId,
        deletedAt: command.now,
      },
    },
  ];
}

/**
 * Once `complete` is accepted with pulls in flight, the service owes the work: the client's
 * inactivity no longer ends the session; only the completion deadline does, as an ERROR naming
 * what never arrived, never as an expiry.
 */
function failOverdueCompletion(
  command: ExpireUpdateSession,
  session: ActiveUpdateSession & { readonly completeBy: string },
): UpdateSessionEvent[] {
  if (Date.parse(command.now) < Date.parse(session.completeBy)) return [];
  const pending = unreceivedFiles(session).map((file) => file.name);
  const files = pending.length > 0 ? pending.join(', ') : 'none';
  return [
    {
      type: 'UpdateSessionFailed',
      data: {
        sessionId: command.sessionId,
        errorMessage: message(
          'com.vmware.vdcs.cls-main.update_session_completion_timed_out',
          `The completion of library item ${session.libraryItemId} requested by the client did not finish by ${session.completeBy}; files still in transfer: ${files}.`,
          [session.libraryItemId, session.completeBy, files],
        ),
        failedAt: command.now,
        expiresAt: addSeconds(command.now, command.timeoutSeconds),
      },
    },
  ];
}

function expire(command: ExpireUpdateSession, state: UpdateSessionState): UpdateSessionEvent[] {
  if (state.status === 'EMPTY' || state.status === 'DELETED') return [];
  if (state.status === 'ACTIVE' && state.completeBy !== undefined)
    return failOverdueCompletion(command, { ...state, completeBy: state.completeBy });
  const deadline = sessionDeadline(state.expiresAt, command.activityExpiresAt);
  if (Date.parse(command.now) < Date.parse(deadline)) return [];
  if (state.status === 'ACTIVE') {
    return [
      {
        type: 'UpdateSessionExpired',
        data: {
          sessionId: command.sessionId,
          expiredAt: command.now,
          // Kept (CANCELED) for one more timeout, then purged like any finished session.
          expiresAt: addSeconds(command.now, command.timeoutSeconds),
        },
      },
    ];
  }
  return [
    {
      type: 'UpdateSessionPurged',
      data: {
        sessionId: command.sessionId,
        libraryItemId: state.libraryItemId,
        purgedAt: command.now,
      },
    },
  ];
}

/** `validate` is a question, not a command: the same state rules, no events (§4.3). */
export function validateUpdateSession(
  sessionId: string,
  caller: Caller,
  state: UpdateSessionState,
  findings?: AdapterFindings,
): ValidationResult {
  return validationOf(active('validate', { sessionId, caller }, state), findings);
}

export const updateSessionDecider: Decider<
  UpdateSessionState,
  UpdateSessionCommand,
  UpdateSessionEvent
> = {
  streamType: 'update_session',
  initialState: initialUpdateSessionState,
  evolve: evolveUpdateSession,
  decide(command, state) {
    switch (command.type) {
      case 'CreateUpdateSession':
        return create(command, state);
      case 'KeepUpdateSessionAlive':
        return keepAlive(command, state);
      case 'UpdateUpdateSession':
        return update(command, state);
      case 'CompleteUpdateSession':
        return complete(command, state);
      case 'CancelUpdateSession':
        return cancel(command, state);
      case 'FailUpdateSession':
        return fail(command, state);
      case 'DeleteUpdateSession':
        return remove(command, state);
      case 'ExpireUpdateSession':
        return expire(command, state);
      case 'AddUpdateSessionFile':
        return addFile(command, active('add', command, state));
      case 'RemoveUpdateSessionFile':
        return removeFile(command, active('remove', command, state));
      case 'StartUpdateSessionFileTransfer':
        return startTransfer(command, active('upload', command, state));
      case 'RecordUpdateSessionFileReceived':
        return recordReceived(command, active('upload', command, state));
      case 'FailUpdateSessionFileTransfer':
        return failTransfer(command, active('upload', command, state));
      case 'UnpackUpdateSessionArchive':
        return unpackArchive(command, active('upload', command, state));
      default:
        return assertNever(command);
    }
  },
};
