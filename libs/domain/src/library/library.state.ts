import type { LibraryEvent, StorageBacking } from './library.events';
import { assertNever } from '../shared/assert-never';

export type LibraryState =
  | { readonly status: 'EMPTY' }
  | {
      readonly status: 'LIVE';
      readonly libraryId: string;
      readonly name: string;
      readonly storageBacking: StorageBacking;
      readonly clientToken?: string;
    }
  | { readonly status: 'DELETED'; readonly libraryId: string };

export function initialLibraryState(): LibraryState {
  return { status: 'EMPTY' };
}

export function evolveLibrary(state: LibraryState, event: LibraryEvent): LibraryState {
  switch (event.type) {
    case 'LocalLibraryCreated':
      return {
        status: 'LIVE',
        libraryId: event.data.libraryId,
        name: event.data.name,
        storageBacking: event.data.storageBacking,
        ...(event.data.clientToken === undefined ? {} : { clientToken: event.data.clientToken }),
      };
    case 'LocalLibraryDeleted':
      return { status: 'DELETED', libraryId: event.data.libraryId };
    default:
      return assertNever(event);
  }
}
