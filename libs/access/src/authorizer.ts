import { message, Unauthorized } from '@cls/domain';

import type { AuthenticatedCaller } from './authenticated-caller';
import type { Privilege } from './privileges';

/** The object a privilege is checked on. Item grants also hold through the item's library. */
export type ProtectedObject =
  | { readonly kind: 'global' }
  | { readonly kind: 'library'; readonly id: string }
  | { readonly kind: 'library_item'; readonly id: string; readonly libraryId: string };

function describe(target: ProtectedObject): string {
  switch (target.kind) {
    case 'global':
      return 'the root folder';
    case 'library':
      return `library ${target.id}`;
    case 'library_item':
      return `library item ${target.id}`;
  }
}

function scopeOf(target: ProtectedObject): readonly string[] {
  switch (target.kind) {
    case 'global':
      return [];
    case 'library':
      return [target.id];
    case 'library_item':
      return [target.id, target.libraryId];
  }
}

export function holds(
  caller: AuthenticatedCaller,
  privilege: Privilege,
  target: ProtectedObject,
): boolean {
  if (caller.isAdmin) return true;
  const scope = scopeOf(target);
  return caller.grants.some(
    (grant) =>
      grant.privilege === privilege &&
      (grant.objectId === undefined || scope.includes(grant.objectId)),
  );
}

/** Throws 403 `unauthorized` naming the missing privilege and the object, so the caller knows what to ask an administrator for. */
export function requirePrivilege(
  caller: AuthenticatedCaller,
  privilege: Privilege,
  target: ProtectedObject,
): void {
  if (holds(caller, privilege, target)) return;
  const object = describe(target);
  throw new Unauthorized(
    message(
      'com.vmware.vapi.endpoint.method.authorization.failed',
      `User ${caller.user} does not hold privilege ${privilege} on ${object}.`,
      [caller.user, privilege, object],
    ),
  );
}

export function requireAdmin(caller: AuthenticatedCaller): void {
  if (caller.isAdmin) return;
  throw new Unauthorized(
    message('com.vmware.cls.users.admin_required', `User ${caller.user} is not an administrator.`, [
      caller.user,
    ]),
  );
}
