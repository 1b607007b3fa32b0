import type { DomainError, ErrorCode, Message } from '@cls/domain';
import { InsufficientStorage, TooManyAttempts } from '@cls/domain';

import type { ApiStyle } from './api-style';

/** HTTP status per error and style, exactly as contract §1.5 (the styles differ for a few). */
const STATUS: Record<ErrorCode, { rest: number; api: number }> = {
  ALREADY_EXISTS: { rest: 400, api: 400 },
  INVALID_ARGUMENT: { rest: 400, api: 400 },
  INVALID_ELEMENT_TYPE: { rest: 400, api: 400 },
  INVALID_REQUEST: { rest: 400, api: 400 },
  NOT_ALLOWED_IN_CURRENT_STATE: { rest: 400, api: 400 },
  RESOURCE_IN_USE: { rest: 400, api: 400 },
  UNSUPPORTED: { rest: 400, api: 400 },
  UNAUTHENTICATED: { rest: 401, api: 401 },
  UNAUTHORIZED: { rest: 403, api: 403 },
  NOT_FOUND: { rest: 404, api: 404 },
  OPERATION_NOT_FOUND: { rest: 404, api: 404 },
  CONCURRENT_CHANGE: { rest: 409, api: 409 },
  RESOURCE_BUSY: { rest: 400, api: 500 },
  SERVICE_UNAVAILABLE: { rest: 503, api: 503 },
  UNABLE_TO_ALLOCATE_RESOURCE: { rest: 400, api: 500 },
  INTERNAL_SERVER_ERROR: { rest: 500, api: 500 },
};

export function statusOf(code: ErrorCode, style: ApiStyle): number {
  return STATUS[code][style];
}

/**
 * The HTTP status of an error: the contract's for its type, except where HTTP has a precise word
 * the vAPI types lack: 429 for too many attempts, 507 for storage that is full.
 */
export function httpStatusOf(error: DomainError, style: ApiStyle): number {
  if (error instanceof TooManyAttempts) return 429;
  if (error instanceof InsufficientStorage) return 507;
  return statusOf(error.code, style);
}

export interface WireMessage {
  id: string;
  default_message: string;
  args: string[];
}

export function messageToWire(message: Message): WireMessage {
  return { id: message.id, default_message: message.defaultMessage, args: [...message.args] };
}

export interface WireError {
  error_type: ErrorCode;
  messages: WireMessage[];
  challenge?: string;
}

/** `/api`: the error structure itself; `/rest`: wrapped in `{type, value}` with `error_type` inside (§1.4). */
export function errorBody(error: DomainError, style: ApiStyle): object {
  const value: WireError = {
    error_type: error.code,
    messages: error.messages.map(messageToWire),
    ...(error.code === 'UNAUTHENTICATED' ? { challenge: 'Basic realm="VAPI endpoint"' } : {}),
  };
  return style === 'api'
    ? value
    : { type: `com.vmware.vapi.std.errors.${error.code.toLowerCase()}`, value };
}
