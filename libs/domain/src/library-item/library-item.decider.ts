import type {
  CommitLibraryItemContent,
  CopyLibraryItem,
  CreateLibraryItem,
  DeleteLibraryItem,
  LibraryItemCommand,
} from './library-item.commands';
import type { StoredFile } from '../content/content.types';
import type { LibraryItemEvent } from './library-item.events';
import type { LibraryItemState } from './library-item.state';
import {
  EMPTY_CONTENT_VERSION,
  evolveLibraryItem,
  initialLibraryItemState,
} from './library-item.state';
import { assertNever } from '../shared/assert-never';
import type { Decider } from '../shared/decider';
import { AlreadyExists, invalidArgument, notFound } from '../shared/errors';
import { message } from '../shared/message';

export const ITEM_NAME_MAX = 80;
export const ITEM_DESCRIPTION_MAX = 2000;

export function duplicateItemName(
  itemName: string,
  libraryName: string,
  libraryId: string,
): AlreadyExists {
  return new AlreadyExists(
    message(
      'com.vmware.vdcs.cls-main.duplicate_item_name_unsupported_in_library',
      `Duplicate item name '${itemName}' is not supported in library '${libraryName}' (${libraryId}).`,
      [itemName, libraryName, libraryId],
    ),
  );
}

function create(command: CreateLibraryItem, state: LibraryItemState): LibraryItemEvent[] {
  if (state.status !== 'EMPTY') {
    // A retried import with the same client token finds its own item: nothing to do.
    if (
      state.status === 'LIVE' &&
      command.clientToken !== undefined &&
      state.clientToken === command.clientToken
    ) {
      return [];
    }
    throw duplicateItemName(command.name, command.library.name, command.library.id);
  }
  if (command.name.length === 0)
    throw invalidArgument('create_spec.name', 'an item needs a non-empty name');
  if (command.name.length > ITEM_NAME_MAX) {
    throw invalidArgument('create_spec.name', `longer than ${ITEM_NAME_MAX} characters`);
  }
  if (command.description.length > ITEM_DESCRIPTION_MAX) {
    throw invalidArgument(
      'create_spec.description',
      `longer than ${ITEM_DESCRIPTION_MAX} characters`,
    );
  }
  if (command.library.itemNamedAlike !== undefined) {
    throw duplicateItemName(command.name, command.library.name, command.library.id);
  }
  return [
    {
      type: 'LibraryItemCreated',
      data: {
        itemId: command.itemId,
        libraryId: command.library.id,
        name: command.name,
        description: command.description,
        ...(command.itemType === undefined ? {} : { itemType: command.itemType }),
        ...(command.clientToken === undefined ? {} : { clientToken: command.clientToken }),
        createdAt: command.now,
      },
    },
  ];
}

/** The copy's item, created with the source's committed files as its first content. */
function copy(command: CopyLibraryItem, state: LibraryItemState): LibraryItemEvent[] {
  const created = create({ ...command, type: 'CreateLibraryItem' }, state);
  if (created.length === 0) return [];
  return [
    ...created,
    {
      type: 'LibraryItemContentCopied',
      data: {
        itemId: command.itemId,
        sourceItemId: command.source.itemId,
        sourceContentVersion: command.source.contentVersion,
        contentVersion: EMPTY_CONTENT_VERSION + 1,
        files: command.source.files,
        committedAt: command.now,
      },
    },
  ];
}

function remove(command: DeleteLibraryItem, state: LibraryItemState): LibraryItemEvent[] {
  if (state.status !== 'LIVE') throw notFound('library_item', command.itemId);
  return [
    {
      type: 'LibraryItemDeleted',
      data: {
        itemId: command.itemId,
        libraryId: state.libraryId,
        reason: command.reason,
        deletedAt: command.now,
      },
    },
  ];
}

/**
 * The new file list: kept files unchanged, incoming ones at version +1 (or 1 when new), the rest
 * removed. Nothing to change is no event: a session without files bumps nothing (§8.4).
 */
function commit(command: CommitLibraryItemContent, state: LibraryItemState): LibraryItemEvent[] {
  if (state.status !== 'LIVE') throw notFound('library_item', command.itemId);
  const current = new Map(state.files.map((file) => [file.name, file]));
  const kept = state.files.filter((file) => command.kept.includes(file.name));
  if (command.incoming.length === 0 && kept.length === state.files.length) return [];
  const incoming: StoredFile[] = command.incoming.map((file) => ({
    ...file,
    version: (current.get(file.name)?.version ?? 0) + 1,
  }));
  return [
    {
      type: 'LibraryItemContentCommitted',
      data: {
        itemId: command.itemId,
        sessionId: command.sessionId,
        contentVersion: state.contentVersion + 1,
        files: [...kept, ...incoming].sort((a, b) => a.name.localeCompare(b.name)),
        committedAt: command.now,
      },
    },
  ];
}

export const libraryItemDecider: Decider<LibraryItemState, LibraryItemCommand, LibraryItemEvent> = {
  streamType: 'library_item',
  initialState: initialLibraryItemState,
  evolve: evolveLibraryItem,
  decide(command, state) {
    switch (command.type) {
      case 'CreateLibraryItem':
        return create(command, state);
      case 'CopyLibraryItem':
        return copy(command, state);
      case 'DeleteLibraryItem':
        return remove(command, state);
      case 'CommitLibraryItemContent':
        return commit(command, state);
      default:
        return assertNever(command);
    }
  },
};
