import type {
  LibraryItemCreated,
  LibraryItemDeleted,
  LocalLibraryCreated,
  LocalLibraryDeleted,
} from '@cls/domain';

import { ITEM_ID, LIBRARY_ID, T0 } from './update-session.fixtures';

export const LIBRARY_NAME = 'ISO images';
export const ITEM_NAME = 'ubuntu-24.04.iso';

type Overrides<T extends { data: object }> = Partial<T['data']>;

export function libraryCreated(
  overrides: Overrides<LocalLibraryCreated> = {},
): LocalLibraryCreated {
  return {
    type: 'LocalLibraryCreated',
    data: {
      libraryId: LIBRARY_ID,
      name: LIBRARY_NAME,
      description: '',
      storageBacking: { type: 'DATASTORE', datastoreId: 'datastore-1' },
      createdAt: T0,
      ...overrides,
    },
  };
}

export function libraryDeleted(at = T0): LocalLibraryDeleted {
  return { type: 'LocalLibraryDeleted', data: { libraryId: LIBRARY_ID, deletedAt: at } };
}

export function libraryItemCreated(
  overrides: Overrides<LibraryItemCreated> = {},
): LibraryItemCreated {
  return {
    type: 'LibraryItemCreated',
    data: {
      itemId: ITEM_ID,
      libraryId: LIBRARY_ID,
      name: ITEM_NAME,
      description: '',
      createdAt: T0,
      ...overrides,
    },
  };
}

export function libraryItemDeleted(
  overrides: Overrides<LibraryItemDeleted> = {},
): LibraryItemDeleted {
  return {
    type: 'LibraryItemDeleted',
    data: { itemId: ITEM_ID, libraryId: LIBRARY_ID, reason: 'CLIENT', deletedAt: T0, ...overrides },
  };
}
