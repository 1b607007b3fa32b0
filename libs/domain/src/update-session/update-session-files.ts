import type {
  AdapterFindings,
  AddUpdateSessionFile,
  FailUpdateSessionFileTransfer,
  RecordUpdateSessionFileReceived,
  RemoveUpdateSessionFile,
  StartUpdateSessionFileTransfer,
  UnpackUpdateSessionArchive,
} from './update-session.commands';
import type { UpdateSessionEvent } from './update-session.events';
import type { ActiveUpdateSession } from './update-session.state';
import type {
  ChecksumInfo,
  SessionFile,
  SourceWarning,
  TransferStatus,
} from '../content/content.types';
import { CHECKSUM_ALGORITHMS, DIGEST_HEX_LENGTH } from '../content/content.types';
import { checkFileName } from '../content/file-name';
import { isOvfMetadataFile, OVF_ITEM_TYPE, ovfRole } from '../content/ovf-file-role';
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

/** §8.6: an OVF package's manifest and certificate must come before its descriptor. */
function checkOvfOrder(command: AddUpdateSessionFile, session: ActiveUpdateSession): void {
  if (session.itemType !== OVF_ITEM_TYPE || !isOvfMetadataFile(command.name)) return;
  const descriptor = Object.values(session.files).find(
    (file) => file.sourceType !== 'NONE' && ovfRole(file.name) === 'descriptor',
  );
  if (!descriptor) return;
  throw new NotAllowedInCurrentState(
    message(
      'com.vmware.vdcs.cls-main.ovf_metadata_after_descriptor',
      `File ${command.name} must be added before the OVF descriptor ${descriptor.name}.`,
      [command.name, descriptor.name],
    ),
  );
}

export function addFile(
  command: AddUpdateSessionFile,
  session: ActiveUpdateSession,
): UpdateSessionEvent[] {
  checkFileName(command.name);
  checkOvfOrder(command, session);
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
        ...(command.warnings?.length ? { warnings: command.warnings } : {}),
        completionRequested: session.completionRequested,
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

/** PULL files the worker is still fetching: `complete` waits for them instead of refusing (§4.2). */
export function isPullInFlight(file: SessionFile): boolean {
  return (
    file.sourceType === 'PULL' &&
    (file.status === 'WAITING_FOR_TRANSFER' || file.status === 'TRANSFERRING')
  );
}

/** `.ova` files of an OVF session that a worker has yet to unpack: complete waits for them. */
export function awaitingUnpack(session: ActiveUpdateSession): SessionFile[] {
  if (session.itemType !== OVF_ITEM_TYPE) return [];
  return Object.values(session.files).filter(
    (file) => file.sourceType !== 'NONE' && ovfRole(file.name) === 'archive',
  );
}

export function missingOrInvalidFiles(findings: AdapterFindings): NotAllowedInCurrentState {
  const names = [...findings.missingFiles, ...findings.invalidFiles.map((file) => file.name)];
  return new NotAllowedInCurrentState(
    message(
      'com.vmware.vdcs.cls-main.session_has_missing_or_invalid_files',
      `The session has missing or invalid files: ${names.join(', ')}.`,
      [names.join(', ')],
    ),
  );
}

export function unpackArchive(
  command: UnpackUpdateSessionArchive,
  session: ActiveUpdateSession,
): UpdateSessionEvent[] {
  const archive = transferTarget(session, command.name, command.transferId);
  if (archive.status !== 'READY') return [];
  for (const member of command.members) checkFileName(member.name);
  return [
    {
      type: 'UpdateSessionArchiveUnpacked',
      data: {
        sessionId: session.sessionId,
        name: command.name,
        transferId: command.transferId,
        members: command.members.map(({ name, transferId, size, digests }) => ({
          name,
          transferId,
          size,
          digests,
        })),
        expiresAt: expiry(command),
      },
    },
  ];
}

/** Warnings of received files whose type the session's warning_behavior does not ignore (§5). */
export function unignoredWarnings(session: ActiveUpdateSession): SourceWarning[] {
  const ignored = new Set(
    session.warningBehavior.filter((behavior) => behavior.ignored).map((behavior) => behavior.type),
  );
  return Object.values(session.files)
    .flatMap((file) => file.warnings ?? [])
    .filter((warning) => !ignored.has(warning.type));
}

export interface ValidationResult {
  readonly hasErrors: boolean;
  readonly missingFiles: readonly string[];
  readonly invalidFiles: readonly { readonly name: string; readonly errorMessage: Message }[];
}

/**
 * `validate` (§4.3): unreceived or failed files are invalid; a type adapter adds what it requires
 * but never got (missing) and what it found wrong (invalid). A file is listed once.
 */
export function validationOf(
  session: ActiveUpdateSession,
  findings: AdapterFindings = { missingFiles: [], invalidFiles: [] },
): ValidationResult {
  const invalidFiles = unreceivedFiles(session).map((file) => ({
    name: file.name,
    errorMessage: file.errorMessage ?? fileNotReceived(file).messages[0]!,
  }));
  const listed = new Set(invalidFiles.map((file) => file.name));
  invalidFiles.push(...findings.invalidFiles.filter((file) => !listed.has(file.name)));
  invalidFiles.sort((a, b) => a.name.localeCompare(b.name));
  const missingFiles = [...findings.missingFiles].sort();
  return {
    hasErrors: invalidFiles.length > 0 || missingFiles.length > 0,
    missingFiles,
    invalidFiles,
  };
}
