import { message, OperationNotFound } from '@cls/domain';

/** `/rest` puts resource ids in an `id:{id}` segment; anything else names no operation (§1). */
export function restId(segment: string): string {
  if (!segment.startsWith('id:')) {
    throw new OperationNotFound(
      message(
        'com.vmware.vapi.rest.operation_not_found',
        `No operation for path segment ${segment}.`,
        [segment],
      ),
    );
  }
  return segment.slice(3);
}

export function unknownAction(action: string | undefined): OperationNotFound {
  const name = action ?? '(none)';
  return new OperationNotFound(
    message('com.vmware.vapi.rest.operation_not_found', `Operation ${name} is not found.`, [name]),
  );
}

/** Throws `operation_not_found` unless the request's action is one the route serves. */
export function allowActions(
  action: string | undefined,
  allowed: readonly (string | undefined)[],
): void {
  if (!allowed.includes(action)) throw unknownAction(action);
}
