import type { LibraryItemDeletionReason } from './library-item.events';

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

export type LibraryItemCommand = CreateLibraryItem | DeleteLibraryItem;
