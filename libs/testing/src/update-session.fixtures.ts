import type {
  Caller,
  ExpireUpdateSession,
  UpdateSessionCanceled,
  UpdateSessionCompleted,
  UpdateSessionCreated,
  UpdateSessionDeleted,
  UpdateSessionFailed,
  UpdateSessionKeptAlive,
} from '@cls/domain';
import { addSeconds, SYSTEM_CALLER } from '@cls/domain';

export const SESSION_ID = '0b6f3c2e-1111-4a2b-9c3d-000000000001';
export const ITEM_ID = '4a1d7c3e-2b6f-4e8a-9c0d-5f1e2a3b4c5d';
export const LIBRARY_ID = '7e2c9b14-0d3a-4f5e-8a6b-1c2d3e4f5a6b';
export const T0 = '2026-11-23T10:00:00.000Z';
export const TIMEOUT = 300;

export const alice: Caller = { user: 'alice', isAdmin: false };
export const bob: Caller = { user: 'bob', isAdmin: false };
export const admin: Caller = { user: 'root', isAdmin: true };

type Overrides<T extends { data: object }> = Partial<T['data']>;

/** What the expiry job asks at `now`, with the activity deadline the view knows, if any. */
export function expireSession(now: string, activityExpiresAt?: string): ExpireUpdateSession {
  return {
    type: 'ExpireUpdateSession',
    sessionId: SESSION_ID,
    caller: SYSTEM_CALLER,
    now,
    timeoutSeconds: TIMEOUT,
    ...(activityExpiresAt === undefined ? {} : { activityExpiresAt }),
  };
}

export function sessionCreated(
  overrides: Overrides<UpdateSessionCreated> = {},
): UpdateSessionCreated {
  return {
    type: 'UpdateSessionCreated',
    data: {
      sessionId: SESSION_ID,
      libraryItemId: ITEM_ID,
      libraryId: LIBRARY_ID,
      itemContentVersion: 1,
      owner: alice.user,
      warningBehavior: [],
      createdAt: T0,
      expiresAt: addSeconds(T0, TIMEOUT),
      snapshot: [],
      ...overrides,
    },
  };
}

export function sessionKeptAlive(
  overrides: Overrides<UpdateSessionKeptAlive> = {},
): UpdateSessionKeptAlive {
  return {
    type: 'UpdateSessionKeptAlive',
    data: {
      sessionId: SESSION_ID,
      clientProgress: 0,
      expiresAt: addSeconds(T0, TIMEOUT),
      ...overrides,
    },
  };
}

export function sessionCompleted(at = T0): UpdateSessionCompleted {
  return {
    type: 'UpdateSessionCompleted',
    data: { sessionId: SESSION_ID, completedAt: at, expiresAt: addSeconds(at, TIMEOUT) },
  };
}

export function sessionCanceled(at = T0): UpdateSessionCanceled {
  return {
    type: 'UpdateSessionCanceled',
    data: {
      sessionId: SESSION_ID,
      reason: 'CLIENT',
      canceledAt: at,
      expiresAt: addSeconds(at, TIMEOUT),
    },
  };
}

export function sessionFailed(at = T0, reason = 'disk full'): UpdateSessionFailed {
  return {
    type: 'UpdateSessionFailed',
    data: {
      sessionId: SESSION_ID,
      errorMessage: {
        id: 'com.vmware.vdcs.cls-main.update_session_failed_by_client',
        defaultMessage: `The import of library item ${ITEM_ID} has failed. Reason: ${reason}`,
        args: [ITEM_ID, reason],
      },
      failedAt: at,
      expiresAt: addSeconds(at, TIMEOUT),
    },
  };
}

export function sessionDeleted(at = T0): UpdateSessionDeleted {
  return {
    type: 'UpdateSessionDeleted',
    data: { sessionId: SESSION_ID, libraryItemId: ITEM_ID, deletedAt: at },
  };
}
