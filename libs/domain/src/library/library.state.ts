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
  /** The backing stays known: bytes still pinned by download sessions live there until collected. */
  | {
      readonly status: 'DELETED';
      readonly libraryId: string;
      readonly storageBacking?: StorageBacking;
    };

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
      return {
        status: 'DELETED',
        libraryId: event.data.libraryId,
        ...(state.status === 'LIVE' ? { storageBacking: state.storageBacking } : {}),
      };
    default:
      return assertNever(event);
  }
}
