import type { UpdateSessionCancellationReason, WarningBehavior } from './update-session.events';
import type {
  ChecksumInfo,
  Digests,
  SourceType,
  SourceWarning,
  StoredFile,
  TransferEndpoint,
} from '../content/content.types';
import type { Caller } from '../shared/caller';
import type { Message } from '../shared/message';

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
  /** The item's type (`ovf` turns the OVF adapter on). */
  readonly type?: string;
  readonly files: readonly StoredFile[];
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

/** What a type adapter found wrong with the session's files (§8.6), read before deciding. */
export interface AdapterFindings {
  readonly missingFiles: readonly string[];
  readonly invalidFiles: readonly { readonly name: string; readonly errorMessage: Message }[];
}

export interface CompleteUpdateSession extends Envelope {
  readonly type: 'CompleteUpdateSession';
  /**
   * How long the service may take to finish a completion it had to postpone (pulls in flight)
   * before it fails the session; meanwhile the client's inactivity timeout does not apply.
   */
  readonly completionTimeoutSeconds: number;
  /** The OVF adapter's verdict on the current files; absent for items without an adapter. */
  readonly adapterFindings?: AdapterFindings;
}

/** An uploaded `.ova` was unpacked into its members, staged under fresh transfer ids (§8.6). */
export interface UnpackUpdateSessionArchive extends Envelope {
  readonly type: 'UnpackUpdateSessionArchive';
  readonly name: string;
  readonly transferId: string;
  readonly members: readonly ArchiveMember[];
}

export interface ArchiveMember {
  readonly name: string;
  readonly transferId: string;
  readonly size: number;
  readonly digests: Digests;
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

/**
 * Asked by a delayed job or the sweep, never told: expires an idle ACTIVE session, purges a finished
 * one whose retention ended, and does nothing when activity moved the deadline since (STYLE §6).
 */
export interface ExpireUpdateSession extends Envelope {
  readonly type: 'ExpireUpdateSession';
  /** A later deadline than the events know of, from upload activity that is not an event. */
  readonly activityExpiresAt?: string;
}

export interface AddUpdateSessionFile extends Envelope {
  readonly type: 'AddUpdateSessionFile';
  readonly name: string;
  readonly sourceType: SourceType;
  /** Fresh for every add: a replaced entry's earlier transfer is abandoned. */
  readonly transferId: string;
  readonly declaredSize?: number;
  readonly expectedChecksum?: ChecksumInfo;
  readonly sourceEndpoint?: TransferEndpoint;
}

export interface RemoveUpdateSessionFile extends Envelope {
  readonly type: 'RemoveUpdateSessionFile';
  readonly name: string;
}

export interface StartUpdateSessionFileTransfer extends Envelope {
  readonly type: 'StartUpdateSessionFileTransfer';
  readonly name: string;
  readonly transferId: string;
}

/** The transport measured what arrived; the decider judges it against what was declared. */
export interface RecordUpdateSessionFileReceived extends Envelope {
  readonly type: 'RecordUpdateSessionFileReceived';
  readonly name: string;
  readonly transferId: string;
  readonly size: number;
  readonly digests: Digests;
  readonly warnings?: readonly SourceWarning[];
}

export interface FailUpdateSessionFileTransfer extends Envelope {
  readonly type: 'FailUpdateSessionFileTransfer';
  readonly name: string;
  readonly transferId: string;
  readonly reason: Message;
}

export type UpdateSessionCommand =
  | CreateUpdateSession
  | KeepUpdateSessionAlive
  | UpdateUpdateSession
  | CompleteUpdateSession
  | CancelUpdateSession
  | FailUpdateSession
  | DeleteUpdateSession
  | ExpireUpdateSession
  | AddUpdateSessionFile
  | RemoveUpdateSessionFile
  | StartUpdateSessionFileTransfer
  | RecordUpdateSessionFileReceived
  | FailUpdateSessionFileTransfer
  | UnpackUpdateSessionArchive;
