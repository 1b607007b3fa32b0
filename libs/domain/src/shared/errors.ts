import type { Message } from './message';
import { message } from './message';

/**
 * The vAPI standard error types this service raises (contract §1.5). A domain error knows its
 * type and its messages, never an HTTP status: each REST style maps the code itself.
 */
export type ErrorCode =
  | 'ALREADY_EXISTS'
  | 'CONCURRENT_CHANGE'
  | 'INTERNAL_SERVER_ERROR'
  | 'INVALID_ARGUMENT'
  | 'INVALID_ELEMENT_TYPE'
  | 'INVALID_REQUEST'
  | 'NOT_ALLOWED_IN_CURRENT_STATE'
  | 'NOT_FOUND'
  | 'OPERATION_NOT_FOUND'
  | 'RESOURCE_BUSY'
  | 'RESOURCE_IN_USE'
  | 'SERVICE_UNAVAILABLE'
  | 'UNABLE_TO_ALLOCATE_RESOURCE'
  | 'UNAUTHENTICATED'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  readonly messages: readonly Message[];

  constructor(first: Message, ...causes: Message[]) {
    super(first.defaultMessage);
    this.name = new.target.name;
    this.messages = [first, ...causes];
  }
}

export class AlreadyExists extends DomainError {
  readonly code = 'ALREADY_EXISTS';
}
export class ConcurrentChange extends DomainError {
  readonly code = 'CONCURRENT_CHANGE';
}
export class InvalidArgument extends DomainError {
  readonly code = 'INVALID_ARGUMENT';
}
export class InvalidElementType extends DomainError {
  readonly code = 'INVALID_ELEMENT_TYPE';
}
export class InvalidRequest extends DomainError {
  readonly code = 'INVALID_REQUEST';
}
export class NotAllowedInCurrentState extends DomainError {
  readonly code = 'NOT_ALLOWED_IN_CURRENT_STATE';
}
export class NotFound extends DomainError {
  readonly code = 'NOT_FOUND';
}
export class OperationNotFound extends DomainError {
  readonly code = 'OPERATION_NOT_FOUND';
}
export class ResourceBusy extends DomainError {
  readonly code = 'RESOURCE_BUSY';
}
export class ResourceInUse extends DomainError {
  readonly code = 'RESOURCE_IN_USE';
}
export class ServiceUnavailable extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
}
/** The service's storage is full: what was asked needs space it does not have now. */
export class InsufficientStorage extends DomainError {
  readonly code = 'UNABLE_TO_ALLOCATE_RESOURCE';
}
/**
 * Refused for a while because of the caller's own repeated attempts (logins). vAPI has no type
 * for it; SERVICE_UNAVAILABLE is the nearest, and the HTTP layer answers 429 with `Retry-After`.
 */
export class TooManyAttempts extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';

  constructor(
    readonly retryAfterSeconds: number,
    first: Message,
  ) {
    super(first);
  }
}
export class Unauthenticated extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}
export class Unauthorized extends DomainError {
  readonly code = 'UNAUTHORIZED';
}
export class Unsupported extends DomainError {
  readonly code = 'UNSUPPORTED';
}

const CLS = 'com.vmware.vdcs.cls-main';

/** The kinds of object a `<kind>_not_found` message can name (contract §1.6). */
export type ObjectKind =
  'library' | 'library_item' | 'update_session' | 'download_session' | 'file' | 'user';

const KIND_WORDS: Record<ObjectKind, string> = {
  library: 'Library',
  library_item: 'Library item',
  update_session: 'Update session',
  download_session: 'Download session',
  file: 'File',
  user: 'User',
};

export function notFound(kind: ObjectKind, id: string): NotFound {
  return new NotFound(
    message(`${CLS}.${kind}_not_found`, `${KIND_WORDS[kind]} ${id} does not exist.`, [id]),
  );
}

/** `["complete","ERROR","<reason>"]` is the observed argument shape. */
export function invalidSessionState(
  operation: string,
  state: string,
  reason?: string,
): NotAllowedInCurrentState {
  const text = `The operation ${operation} can not be invoked when the import session is in the ${state} state.`;
  return new NotAllowedInCurrentState(
    reason === undefined
      ? message(`${CLS}.invalid_session_state`, text, [operation, state])
      : message(`${CLS}.invalid_session_state`, `${text} Reason: ${reason}`, [
          operation,
          state,
          reason,
        ]),
  );
}

/** Other writers kept changing what a command decides on, `attempts` times over. */
export function concurrentModification(attempts: number): ResourceBusy {
  return new ResourceBusy(
    message(
      `${CLS}.concurrent_modification`,
      `The object is being modified by other requests; retried ${attempts} times.`,
      [String(attempts)],
    ),
  );
}

export function invalidArgument(what: string, reason: string): InvalidArgument {
  return new InvalidArgument(
    message(`${CLS}.invalid_argument`, `Invalid ${what}: ${reason}`, [what, reason]),
  );
}
