import type {
  ChecksumInfo,
  Digests,
  SourceType,
  SourceWarning,
  StoredFile,
  TransferEndpoint,
  WarningType,
} from '../content/content.types';
import type { DomainEvent } from '../shared/decider';
import type { Message } from '../shared/message';

export interface WarningBehavior {
  readonly type: WarningType;
  readonly ignored: boolean;
}

/** Every event moves `expiresAt`: any activity extends an ACTIVE session, and a terminal one is purged a timeout later (contract §8.1, §8.5). */
interface Expiring {
  readonly sessionId: string;
  readonly expiresAt: string;
}

export type UpdateSessionCreated = DomainEvent<
  'UpdateSessionCreated',
  Expiring & {
    readonly libraryItemId: string;
    readonly libraryId: string;
    /** The item's `content_version` when the session opened. */
    readonly itemContentVersion: number;
    /** The item's type at creation; absent in events before type adapters existed. */
    readonly itemType?: string;
    readonly owner: string;
    readonly clientToken?: string;
    readonly warningBehavior: readonly WarningBehavior[];
    readonly createdAt: string;
    /** The item's files when the session opened (contract §4.4); since schema version 2. */
    readonly snapshot: readonly StoredFile[];
  }
>;

export type UpdateSessionKeptAlive = DomainEvent<
  'UpdateSessionKeptAlive',
  Expiring & { readonly clientProgress: number }
>;

export type UpdateSessionWarningBehaviorUpdated = DomainEvent<
  'UpdateSessionWarningBehaviorUpdated',
  Expiring & { readonly warningBehavior: readonly WarningBehavior[] }
>;

export type UpdateSessionCompleted = DomainEvent<
  'UpdateSessionCompleted',
  Expiring & { readonly completedAt: string }
>;

/**
 * `complete` arrived while PULL files were still in flight: the worker finishes it (§4.2) by
 * `completeBy`, or fails the session then. Events written before `completeBy` existed had their
 * `expiresAt` as that deadline.
 */
export type UpdateSessionCompletionRequested = DomainEvent<
  'UpdateSessionCompletionRequested',
  Expiring & { readonly requestedAt: string; readonly completeBy?: string }
>;

export type UpdateSessionCancellationReason = 'CLIENT' | 'ITEM_DELETED';

export type UpdateSessionCanceled = DomainEvent<
  'UpdateSessionCanceled',
  Expiring & { readonly reason: UpdateSessionCancellationReason; readonly canceledAt: string }
>;

export type UpdateSessionFailed = DomainEvent<
  'UpdateSessionFailed',
  Expiring & { readonly errorMessage: Message; readonly failedAt: string }
>;

/** Nobody touched the ACTIVE session for a whole timeout: treated as a cancel (§8.1). */
export type UpdateSessionExpired = DomainEvent<
  'UpdateSessionExpired',
  Expiring & { readonly expiredAt: string }
>;

/** A finished session's retention ended: its view goes, its history stays (§8.1). */
export type UpdateSessionPurged = DomainEvent<
  'UpdateSessionPurged',
  { readonly sessionId: string; readonly libraryItemId: string; readonly purgedAt: string }
>;

export type UpdateSessionDeleted = DomainEvent<
  'UpdateSessionDeleted',
  { readonly sessionId: string; readonly libraryItemId: string; readonly deletedAt: string }
>;

export type UpdateSessionFileAdded = DomainEvent<
  'UpdateSessionFileAdded',
  Expiring & {
    readonly name: string;
    readonly sourceType: Exclude<SourceType, 'NONE'>;
    readonly transferId: string;
    readonly declaredSize?: number;
    readonly expectedChecksum?: ChecksumInfo;
    readonly sourceEndpoint?: TransferEndpoint;
  }
>;

export type UpdateSessionFileRemoved = DomainEvent<
  'UpdateSessionFileRemoved',
  Expiring & { readonly name: string }
>;

/** The first bytes of a transfer arrived: WAITING_FOR_TRANSFER → TRANSFERRING. */
export type UpdateSessionFileTransferStarted = DomainEvent<
  'UpdateSessionFileTransferStarted',
  Expiring & { readonly name: string; readonly transferId: string }
>;

/** Every byte arrived and matched what was declared: READY. */
export type UpdateSessionFileReceived = DomainEvent<
  'UpdateSessionFileReceived',
  Expiring & {
    readonly name: string;
    readonly transferId: string;
    readonly size: number;
    readonly digests: Digests;
    readonly warnings?: readonly SourceWarning[];
    /**
     * Whether `complete` was already asked for, so this file may be the last one it waits for;
     * since schema version 2.
     */
    readonly completionRequested: boolean;
  }
>;

export type UpdateSessionFileTransferFailed = DomainEvent<
  'UpdateSessionFileTransferFailed',
  Expiring & { readonly name: string; readonly transferId: string; readonly errorMessage: Message }
>;

/** The `.ova` entry gave way to the files inside it, each READY with what was measured. */
export type UpdateSessionArchiveUnpacked = DomainEvent<
  'UpdateSessionArchiveUnpacked',
  Expiring & {
    readonly name: string;
    readonly transferId: string;
    readonly members: readonly {
      readonly name: string;
      readonly transferId: string;
      readonly size: number;
      readonly digests: Digests;
    }[];
  }
>;

export type UpdateSessionEvent =
  | UpdateSessionCreated
  | UpdateSessionKeptAlive
  | UpdateSessionWarningBehaviorUpdated
  | UpdateSessionCompleted
  | UpdateSessionCompletionRequested
  | UpdateSessionCanceled
  | UpdateSessionExpired
  | UpdateSessionPurged
  | UpdateSessionFailed
  | UpdateSessionDeleted
  | UpdateSessionFileAdded
  | UpdateSessionFileRemoved
  | UpdateSessionFileTransferStarted
  | UpdateSessionFileReceived
  | UpdateSessionFileTransferFailed
  | UpdateSessionArchiveUnpacked;
