import type { LibraryItemDeletionReason } from './library-item.events';
import type { Digests, StoredFile } from '../content/content.types';

/** What the application layer looked up about the target library before deciding. */
export interface LibraryFacts {
  readonly id: string;
  readonly name: string;
  /** The id of an item of that library already using the requested name, if any. */
  readonly itemNamedAlike?: string;
}

export interface CreateLibraryItem {
  readonly type: 'CreateLibraryItem';
  readonly itemId: string;
  readonly library: LibraryFacts;
  readonly name: string;
  readonly description: string;
  readonly itemType?: string;
  readonly clientToken?: string;
  readonly now: string;
}

export interface DeleteLibraryItem {
  readonly type: 'DeleteLibraryItem';
  readonly itemId: string;
  readonly reason: LibraryItemDeletionReason;
  readonly now: string;
}

/** A file an update session brings: new, or replacing the one of the same name. */
export interface IncomingFile {
  readonly name: string;
  readonly size: number;
  readonly digests: Digests;
  readonly storageKey: string;
}

export interface CommitLibraryItemContent {
  readonly type: 'CommitLibraryItemContent';
  readonly itemId: string;
  readonly sessionId: string;
  /** Added or replaced files. */
  readonly incoming: readonly IncomingFile[];
  /** The names the session kept untouched; every other current file is removed. */
  readonly kept: readonly string[];
  readonly now: string;
}

/**
 * A new item holding another item's committed content: the create's facts, and the source's files
 * already stored (linked or copied) under the new item's storage keys.
 */
export interface CopyLibraryItem extends Omit<CreateLibraryItem, 'type'> {
  readonly type: 'CopyLibraryItem';
  readonly source: {
    readonly itemId: string;
    readonly contentVersion: number;
    readonly files: readonly StoredFile[];
  };
}

export type LibraryItemCommand =
  CreateLibraryItem | CopyLibraryItem | DeleteLibraryItem | CommitLibraryItemContent;
