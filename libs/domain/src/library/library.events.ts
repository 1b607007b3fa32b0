import type { DomainEvent } from '../shared/decider';

export type StorageBacking =
  | { readonly type: 'DATASTORE'; readonly datastoreId: string }
  | { readonly type: 'OTHER'; readonly storageUri: string };

export type LocalLibraryCreated = DomainEvent<
  'LocalLibraryCreated',
  {
    readonly libraryId: string;
    readonly name: string;
    readonly description: string;
    readonly storageBacking: StorageBacking;
    readonly serverGuid?: string;
    /** Structures the contract lets us store and echo without effect (publish_info, ...). */
    readonly extras?: Readonly<Record<string, unknown>>;
    readonly clientToken?: string;
    readonly createdAt: string;
  }
>;

export type LocalLibraryDeleted = DomainEvent<
  'LocalLibraryDeleted',
  { readonly libraryId: string; readonly deletedAt: string }
>;

export type LibraryEvent = LocalLibraryCreated | LocalLibraryDeleted;
