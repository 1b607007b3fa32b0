import type { StoredFile } from '../content/content.types';
import type { DomainEvent } from '../shared/decider';
import type { Message } from '../shared/message';

export type DownloadEndpointType = 'HTTPS' | 'DIRECT';

/** Every event but the removals moves the deadline: activity extends, a finished session is purged later. */
interface Expiring {
  readonly sessionId: string;
  readonly expiresAt: string;
}

export type DownloadSessionCreated = DomainEvent<
  'DownloadSessionCreated',
  Expiring & {
    readonly libraryItemId: string;
    readonly libraryId: string;
    /** The content version the session serves, whatever is committed later (ADR 0004). */
    readonly itemContentVersion: number;
    /** The item's files at that version: the session serves exactly these bytes. */
    readonly files: readonly StoredFile[];
    readonly owner: string;
    readonly clientToken?: string;
    readonly createdAt: string;
  }
>;

export type DownloadSessionKeptAlive = DomainEvent<
  'DownloadSessionKeptAlive',
  Expiring & { readonly progress: number }
>;

export type DownloadSessionFilePrepared = DomainEvent<
  'DownloadSessionFilePrepared',
  Expiring & { readonly name: string; readonly endpointType: DownloadEndpointType }
>;

export type DownloadSessionCanceled = DomainEvent<
  'DownloadSessionCanceled',
  Expiring & { readonly libraryItemId: string; readonly canceledAt: string }
>;

export type DownloadSessionFailed = DomainEvent<
  'DownloadSessionFailed',
  Expiring & {
    readonly libraryItemId: string;
    readonly errorMessage: Message;
    readonly failedAt: string;
  }
>;

/** An ACTIVE session idle for a whole timeout is removed (contract §8.5); its history stays. */
export type DownloadSessionExpired = DomainEvent<
  'DownloadSessionExpired',
  { readonly sessionId: string; readonly libraryItemId: string; readonly expiredAt: string }
>;

/** A canceled or failed session's retention ended. */
export type DownloadSessionPurged = DomainEvent<
  'DownloadSessionPurged',
  { readonly sessionId: string; readonly libraryItemId: string; readonly purgedAt: string }
>;

export type DownloadSessionDeleted = DomainEvent<
  'DownloadSessionDeleted',
  { readonly sessionId: string; readonly libraryItemId: string; readonly deletedAt: string }
>;

export type DownloadSessionEvent =
  | DownloadSessionCreated
  | DownloadSessionKeptAlive
  | DownloadSessionFilePrepared
  | DownloadSessionCanceled
  | DownloadSessionFailed
  | DownloadSessionExpired
  | DownloadSessionPurged
  | DownloadSessionDeleted;
