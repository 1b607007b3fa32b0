import type { StoredFile } from '../content/content.types';
import type { DomainEvent } from '../shared/decider';

export type LibraryItemCreated = DomainEvent<
  'LibraryItemCreated',
  {
    readonly itemId: string;
    readonly libraryId: string;
    readonly name: string;
    readonly description: string;
    readonly itemType?: string;
    readonly clientToken?: string;
    readonly createdAt: string;
  }
>;

export type LibraryItemDeletionReason = 'CLIENT' | 'LIBRARY_DELETED';

export type LibraryItemDeleted = DomainEvent<
  'LibraryItemDeleted',
  {
    readonly itemId: string;
    readonly libraryId: string;
    readonly reason: LibraryItemDeletionReason;
    readonly deletedAt: string;
  }
>;

/** An update session completed: the item's whole new file list, atomically (contract §8.4). */
export type LibraryItemContentCommitted = DomainEvent<
  'LibraryItemContentCommitted',
  {
    readonly itemId: string;
    readonly sessionId: string;
    readonly contentVersion: number;
    readonly files: readonly StoredFile[];
    readonly committedAt: string;
  }
>;

/**
 * The item was made as a copy: its first content is the source's committed files at
 * `sourceContentVersion`, stored under this item's own keys.
 */
export type LibraryItemContentCopied = DomainEvent<
  'LibraryItemContentCopied',
  {
    readonly itemId: string;
    readonly sourceItemId: string;
    readonly sourceContentVersion: number;
    readonly contentVersion: number;
    readonly files: readonly StoredFile[];
    readonly committedAt: string;
  }
>;

export type LibraryItemEvent =
  LibraryItemCreated | LibraryItemDeleted | LibraryItemContentCommitted | LibraryItemContentCopied;
