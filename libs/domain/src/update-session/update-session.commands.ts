import type { UpdateSessionCancellationReason, WarningBehavior } from './update-session.events';
import type { Caller } from '../shared/caller';

/** Facts every command brings: who asks, when, and the configured idle timeout. */
interface Envelope {
  readonly sessionId: string;
  readonly caller: Caller;
  readonly now: string;
  readonly timeoutSeconds: number;
}

/** What the application layer looked up about the target item before deciding. */
export interface ItemFacts {
  readonly id: string;
  readonly libraryId: string;
  readonly contentVersion: number;
  /** The id of the item's ACTIVE update session, if there is one. */
  readonly activeUpdateSessionId?: string;
}

export interface CreateUpdateSession extends Envelope {
  readonly type: 'CreateUpdateSession';
  readonly item: ItemFacts;
  readonly clientToken?: string;
  readonly warningBehavior: readonly WarningBehavior[];
}

export interface KeepUpdateSessionAlive extends Envelope {
  readonly type: 'KeepUpdateSessionAlive';
  readonly clientProgress?: number;
}

export interface UpdateUpdateSession extends Envelope {
  readonly type: 'UpdateUpdateSession';
  readonly warningBehavior?: readonly WarningBehavior[];
}

export interface CompleteUpdateSession extends Envelope {
  readonly type: 'CompleteUpdateSession';
}

export interface CancelUpdateSession extends Envelope {
  readonly type: 'CancelUpdateSession';
  readonly reason: UpdateSessionCancellationReason;
}

export interface FailUpdateSession extends Envelope {
  readonly type: 'FailUpdateSession';
  readonly clientErrorMessage: string;
}

export interface DeleteUpdateSession extends Envelope {
  readonly type: 'DeleteUpdateSession';
}

export type UpdateSessionCommand =
  | CreateUpdateSession
  | KeepUpdateSessionAlive
  | UpdateUpdateSession
  | CompleteUpdateSession
  | CancelUpdateSession
  | FailUpdateSession
  | DeleteUpdateSession;
