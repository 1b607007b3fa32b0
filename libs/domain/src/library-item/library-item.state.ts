import type { LibraryItemEvent } from './library-item.events';
import type { StoredFile } from '../content/content.types';
import { assertNever } from '../shared/assert-never';

export type LibraryItemState =
  | { readonly status: 'EMPTY' }
  | {
      readonly status: 'LIVE';
      readonly itemId: string;
      readonly libraryId: string;
      readonly itemType?: string;
      /** `content_version` as a number; the wire shows it as a string. */
      readonly contentVersion: number;
      readonly files: readonly StoredFile[];
      readonly clientToken?: string;
    }
  | { readonly status: 'DELETED'; readonly itemId: string; readonly libraryId: string };

export function initialLibraryItemState(): LibraryItemState {
  return { status: 'EMPTY' };
}

/** A new item's content version: no files, so nothing stored. */
export const EMPTY_CONTENT_VERSION = 1;

export function evolveLibraryItem(
  state: LibraryItemState,
  event: LibraryItemEvent,
): LibraryItemState {
  switch (event.type) {
    case 'LibraryItemCreated':
      return {
        status: 'LIVE',
        itemId: event.data.itemId,
        libraryId: event.data.libraryId,
        contentVersion: EMPTY_CONTENT_VERSION,
        files: [],
        ...(event.data.itemType === undefined ? {} : { itemType: event.data.itemType }),
        ...(event.data.clientToken === undefined ? {} : { clientToken: event.data.clientToken }),
      };
    case 'LibraryItemDeleted':
      return { status: 'DELETED', itemId: event.data.itemId, libraryId: event.data.libraryId };
    case 'LibraryItemContentCommitted':
    case 'LibraryItemContentCopied':
      return state.status === 'LIVE'
        ? { ...state, contentVersion: event.data.contentVersion, files: event.data.files }
        : state;
    default:
      return assertNever(event);
  }
}
