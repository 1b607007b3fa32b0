/** Who sends a command: an authenticated user, or the service itself (a worker role). */
export interface Caller {
  readonly user: string;
  readonly isAdmin: boolean;
}

export const SYSTEM_CALLER: Caller = { user: 'system', isAdmin: true };

/** Sessions are visible only to their creator and to administrators, as in vCenter. */
export function canSee(caller: Caller, owner: string): boolean {
  return caller.isAdmin || caller.user === owner;
}
