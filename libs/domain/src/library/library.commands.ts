import type { StorageBacking } from './library.events';

export interface CreateLocalLibrary {
  readonly type: 'CreateLocalLibrary';
  readonly libraryId: string;
  readonly name: string;
  readonly description: string;
  /** Already checked against the configured datastores and storage roots. */
  readonly storageBackings: readonly StorageBacking[];
  readonly serverGuid?: string;
  readonly extras?: Readonly<Record<string, unknown>>;
  readonly clientToken?: string;
  readonly now: string;
}

export interface DeleteLocalLibrary {
  readonly type: 'DeleteLocalLibrary';
  readonly libraryId: string;
  readonly now: string;
}

export type LibraryCommand = CreateLocalLibrary | DeleteLocalLibrary;
