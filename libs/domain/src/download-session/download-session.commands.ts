import type { DownloadEndpointType } from './download-session.events';
import type { StoredFile } from '../content/content.types';
import type { Caller } from '../shared/caller';

/** Facts every command brings: who asks, when, and the configured idle timeout. */
interface Envelope {
  readonly sessionId: string;
  readonly caller: Caller;
  readonly now: string;
  readonly timeoutSeconds: number;
}

/** The item as committed when the session opens: the version and files it will serve. */
export interface DownloadItemFacts {
  readonly id: string;
  readonly libraryId: string;
  readonly contentVersion: number;
  readonly files: readonly StoredFile[];
}

export interface CreateDownloadSession extends Envelope {
  readonly type: 'CreateDownloadSession';
  readonly item: DownloadItemFacts;
  readonly clientToken?: string;
}

export interface KeepDownloadSessionAlive extends Envelope {
  readonly type: 'KeepDownloadSessionAlive';
  readonly progress?: number;
}

export interface PrepareDownloadSessionFile extends Envelope {
  readonly type: 'PrepareDownloadSessionFile';
  readonly name: string;
  readonly endpointType: DownloadEndpointType;
}

export interface CancelDownloadSession extends Envelope {
  readonly type: 'CancelDownloadSession';
}

export interface FailDownloadSession extends Envelope {
  readonly type: 'FailDownloadSession';
  readonly clientErrorMessage: string;
}

export interface DeleteDownloadSession extends Envelope {
  readonly type: 'DeleteDownloadSession';
}

/** Asked by a delayed job or the sweep: removes an idle session, purges a finished one. */
export interface ExpireDownloadSession extends Envelope {
  readonly type: 'ExpireDownloadSession';
  /** A later deadline than the events know of, from download activity that is not an event. */
  readonly activityExpiresAt?: string;
}

export type DownloadSessionCommand =
  | CreateDownloadSession
  | KeepDownloadSessionAlive
  | PrepareDownloadSessionFile
  | CancelDownloadSession
  | FailDownloadSession
  | DeleteDownloadSession
  | ExpireDownloadSession;
