import type { CreateLocalLibrary, DeleteLocalLibrary, LibraryCommand } from './library.commands';
import type { LibraryEvent } from './library.events';
import type { LibraryState } from './library.state';
import { evolveLibrary, initialLibraryState } from './library.state';
import { assertNever } from '../shared/assert-never';
import type { Decider } from '../shared/decider';
import { AlreadyExists, invalidArgument, notFound, Unsupported } from '../shared/errors';
import { message } from '../shared/message';

export const LIBRARY_NAME_MAX = 255;

function create(command: CreateLocalLibrary, state: LibraryState): LibraryEvent[] {
  if (state.status !== 'EMPTY') {
    // The id derives from the client token, so a repeat of the same create lands here.
    if (
      state.status === 'LIVE' &&
      command.clientToken !== undefined &&
      state.clientToken === command.clientToken
    ) {
      return [];
    }
    throw new AlreadyExists(
      message(
        'com.vmware.vdcs.cls-main.library_exists',
        `Library ${command.libraryId} already exists.`,
        [command.libraryId],
      ),
    );
  }
  const name = command.name.trim();
  if (name.length === 0)
    throw invalidArgument('create_spec.name', 'a library needs a non-empty name');
  if (name.length > LIBRARY_NAME_MAX) {
    throw invalidArgument('create_spec.name', `longer than ${LIBRARY_NAME_MAX} characters`);
  }
  const [backing, ...more] = command.storageBackings;
  if (backing === undefined)
    throw invalidArgument(
      'create_spec.storage_backings',
      'exactly one storage backing is required',
    );
  if (more.length > 0) {
    throw new Unsupported(
      message(
        'com.vmware.vdcs.cls-main.multiple_storage_backings',
        'Only one storage backing is supported per library.',
      ),
    );
  }
  return [
    {
      type: 'LocalLibraryCreated',
      data: {
        libraryId: command.libraryId,
        name,
        description: command.description,
        storageBacking: backing,
        ...(command.serverGuid === undefined ? {} : { serverGuid: command.serverGuid }),
        ...(command.extras === undefined ? {} : { extras: command.extras }),
        ...(command.clientToken === undefined ? {} : { clientToken: command.clientToken }),
        createdAt: command.now,
      },
    },
  ];
}

function remove(command: DeleteLocalLibrary, state: LibraryState): LibraryEvent[] {
  if (state.status !== 'LIVE') throw notFound('library', command.libraryId);
  return [
    { type: 'LocalLibraryDeleted', data: { libraryId: command.libraryId, deletedAt: command.now } },
  ];
}

export const libraryDecider: Decider<LibraryState, LibraryCommand, LibraryEvent> = {
  streamType: 'library',
  initialState: initialLibraryState,
  evolve: evolveLibrary,
  decide(command, state) {
    switch (command.type) {
      case 'CreateLocalLibrary':
        return create(command, state);
      case 'DeleteLocalLibrary':
        return remove(command, state);
      default:
        return assertNever(command);
    }
  },
};
