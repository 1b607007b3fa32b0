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

export type LibraryItemEvent = LibraryItemCreated | LibraryItemDeleted;
