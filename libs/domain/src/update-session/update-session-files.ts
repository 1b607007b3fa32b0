import type {
  AddUpdateSessionFile,
  FailUpdateSessionFileTransfer,
  RecordUpdateSessionFileReceived,
  RemoveUpdateSessionFile,
  StartUpdateSessionFileTransfer,
} from './update-session.commands';
import type { UpdateSessionEvent } from './update-session.events';
import type { ActiveUpdateSession } from './update-session.state';
import type { ChecksumInfo, SessionFile, TransferStatus } from '../content/content.types';
import { CHECKSUM_ALGORITHMS, DIGEST_HEX_LENGTH } from '../content/content.types';
import { checkFileName } from '../content/file-name';
import { addSeconds } from '../shared/decider';
import { invalidArgument, NotAllowedInCurrentState, notFound } from '../shared/errors';
import type { Message } from '../shared/message';
import { message } from '../shared/message';

/** 64 TiB: anything larger is a mistake, not a disk image. */
export const MAX_FILE_SIZE = 2 ** 46;
const PULL_SCHEMES = ['http:', 'https:', 'file:', 'ds:'];

export function checkChecksum(checksum: ChecksumInfo): ChecksumInfo {
  if (!CHECKSUM_ALGORITHMS.includes(checksum.algorithm)) {
    throw invalidArgument(
      'checksum_info.algorithm',
      `unknown algorithm ${String(checksum.algorithm)}`,
    );
  }
  const hex = checksum.checksum.toLowerCase();
  if (!new RegExp(`^[0-9a-f]{${DIGEST_HEX_LENGTH[checksum.algorithm]}}$`).test(hex)) {
    throw invalidArgument('checksum_info.checksum', `not a ${checksum.algorithm} hex digest`);
  }
  return { algorithm: checksum.algorithm, checksum: hex };
}

function checkSize(size: number | undefined): void {
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 0 || size > MAX_FILE_SIZE)) {
    throw invalidArgument(
      'file_spec.size',
      `${size} is not a size between 0 and ${MAX_FILE_SIZE} bytes`,
    );
  }
}

function checkSource(command: AddUpdateSessionFile): void {
  if (command.sourceType === 'NONE')
    throw invalidArgument('file_spec.source_type', 'NONE cannot be added; use PUSH or PULL');
  if (command.sourceType === 'PUSH') {
    if (command.sourceEndpoint !== undefined)
      throw invalidArgument('file_spec.source_endpoint', 'only PULL files have a source');
    return;
  }
  const uri = command.sourceEndpoint?.uri;
  if (uri === undefined)
    throw invalidArgument('file_spec.source_endpoint', 'a PULL file needs a source endpoint');
  let protocol: string;
  try {
    protocol = new URL(uri).protocol;
  } catch {
    throw invalidArgument('file_spec.source_endpoint.uri', `"${uri}" is not a URI`);
  }
  if (!PULL_SCHEMES.includes(protocol)) {
    throw invalidArgument(
      'file_spec.source_endpoint.uri',
      `unsupported scheme ${protocol} (http, https, file or ds)`,
    );
  }
}

function expiry(command: { now: string; timeoutSeconds: number }): string {
  return addSeconds(command.now, command.timeoutSeconds);
}

export function addFile(
  command: AddUpdateSessionFile,
  session: ActiveUpdateSession,
): UpdateSessionEvent[] {
  checkFileName(command.name);
  checkSource(command);
  checkSize(command.declaredSize);
  const expectedChecksum =
    command.expectedChecksum === undefined ? undefined : checkChecksum(command.expectedChecksum);
  return [
    {
      type: 'UpdateSessionFileAdded',
      data: {
        sessionId: session.sessionId,
        name: command.name,
        sourceType: command.sourceType as 'PUSH' | 'PULL',
        transferId: command.transferId,
        ...(command.declaredSize === undefined ? {} : { declaredSize: command.declaredSize }),
        ...(expectedChecksum === undefined ? {} : { expectedChecksum }),
        ...(command.sourceEndpoint === undefined ? {} : { sourceEndpoint: command.sourceEndpoint }),
        expiresAt: expiry(command),
      },
    },
  ];
}

export function noSuchFile(name: string) {
  return invalidArgument('file_name', `the session has no file named "${name}"`);
}

export function removeFile(
  command: RemoveUpdateSessionFile,
  session: ActiveUpdateSession,
): UpdateSessionEvent[] {
  if (!session.files[command.name]) throw noSuchFile(command.name);
  return [
    {
      type: 'UpdateSessionFileRemoved',
      data: { sessionId: session.sessionId, name: command.name, expiresAt: expiry(command) },
    },
  ];
}

/** The file a data-plane transfer writes to; a replaced or removed entry's transfer is gone. */
function transferTarget(
  session: ActiveUpdateSession,
  name: string,
  transferId: string,
): SessionFile {
  const file = session.files[name];
  if (!file || file.transferId !== transferId)
    throw notFound('file', `${session.sessionId}/${name}`);
  return file;
}

export function fileAlreadyReceived(name: string): NotAllowedInCurrentState {
  return new NotAllowedInCurrentState(
    message(
      'com.vmware.vdcs.cls-main.update_session_file_already_received',
      `File ${name} has already been received; add it again to replace it.`,
      [name],
    ),
  );
}

export function startTransfer(
  command: StartUpdateSessionFileTransfer,
  session: ActiveUpdateSession,
): UpdateSessionEvent[] {
  const file = transferTarget(session, command.name, command.transferId);
  if (file.status === 'READY') throw fileAlreadyReceived(command.name);
  if (file.status !== 'WAITING_FOR_TRANSFER') return [];
  return [
    {
      type: 'UpdateSessionFileTransferStarted',
      data: {
        sessionId: session.sessionId,
        name: command.name,
        transferId: command.transferId,
        expiresAt: expiry(command),
      },
    },
  ];
}

/** A failed transfer is a fact: the file and the whole session go to ERROR, naming the cause (§7.1). */
function transferFailed(
  command: { name: string; transferId: string; now: string; timeoutSeconds: number },
  session: ActiveUpdateSession,
  cause: Message,
): UpdateSessionEvent[] {
  const expiresAt = expiry(command);
  return [
    {
      type: 'UpdateSessionFileTransferFailed',
      data: {
        sessionId: session.sessionId,
        name: command.name,
        transferId: command.transferId,
        errorMessage: cause,
        expiresAt,
      },
    },
    {
      type: 'UpdateSessionFailed',
      data: {
        sessionId: session.sessionId,
        errorMessage: message(
          'com.vmware.vdcs.cls-main.update_session_import_failed',
          `The import of library item ${session.libraryItemId} has failed. Reason: ${cause.defaultMessage}`,
          [session.libraryItemId, cause.defaultMessage],
        ),
        failedAt: command.now,
        expiresAt,
      },
    },
  ];
}

export function recordReceived(
  command: RecordUpdateSessionFileReceived,
  session: ActiveUpdateSession,
): UpdateSessionEvent[] {
  const file = transferTarget(session, command.name, command.transferId);
  if (file.status === 'READY') throw fileAlreadyReceived(command.name);
  if (file.declaredSize !== undefined && file.declaredSize !== command.size) {
    return transferFailed(
      command,
      session,
      message(
        'com.vmware.vdcs.cls-main.file_size_mismatch',
        `File ${command.name}: expected ${file.declaredSize} bytes, received ${command.size}.`,
        [command.name, String(file.declaredSize), String(command.size)],
      ),
    );
  }
  const expected = file.expectedChecksum;
  const received = expected === undefined ? undefined : command.digests[expected.algorithm];
  if (expected !== undefined && received !== expected.checksum) {
    return transferFailed(
      command,
      session,
      message(
        'com.vmware.vdcs.cls-main.file_checksum_mismatch',
        `File ${command.name}: ${expected.algorithm} checksum mismatch, expected ${expected.checksum}, received ${received ?? 'none'}.`,
        [command.name, expected.algorithm, expected.checksum, received ?? ''],
      ),
    );
  }
  return [
    {
      type: 'UpdateSessionFileReceived',
      data: {
        sessionId: session.sessionId,
        name: command.name,
        transferId: command.transferId,
        size: command.size,
        digests: command.digests,
        expiresAt: expiry(command),
      },
    },
  ];
}

export function failTransfer(
  command: FailUpdateSessionFileTransfer,
  session: ActiveUpdateSession,
): UpdateSessionEvent[] {
  transferTarget(session, command.name, command.transferId);
  return transferFailed(command, session, command.reason);
}

/** The word the observed `update_session_file_not_received` message uses for a status. */
function statusWord(status: TransferStatus): string {
  return status === 'WAITING_FOR_TRANSFER' ? 'WAITING' : status;
}

export function fileNotReceived(file: SessionFile): NotAllowedInCurrentState {
  const word = statusWord(file.status);
  return new NotAllowedInCurrentState(
    message(
      'com.vmware.vdcs.cls-main.update_session_file_not_received',
      `File ${file.name} has transfer errors or has not been fully received yet (status: ${word}).`,
      [file.name, word],
    ),
  );
}

/** Files added in this session that are not READY yet, in name order. */
export function unreceivedFiles(session: ActiveUpdateSession): SessionFile[] {
  return Object.values(session.files)
    .filter((file) => file.sourceType !== 'NONE' && file.status !== 'READY')
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface ValidationResult {
  readonly hasErrors: boolean;
  readonly missingFiles: readonly string[];
  readonly invalidFiles: readonly { readonly name: string; readonly errorMessage: Message }[];
}

/** `validate` (§4.3): without a type adapter nothing is ever missing; unreceived or failed files are invalid. */
export function validationOf(session: ActiveUpdateSession): ValidationResult {
  const invalidFiles = unreceivedFiles(session).map((file) => ({
    name: file.name,
    errorMessage: file.errorMessage ?? fileNotReceived(file).messages[0]!,
  }));
  return { hasErrors: invalidFiles.length > 0, missingFiles: [], invalidFiles };
}
