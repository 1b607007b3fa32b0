import type { CreateLocalLibrary, LibraryCommand, StorageBacking } from '@cls/domain';
import { LIBRARY_NAME_MAX, libraryDecider } from '@cls/domain';
import {
  deciderSpecification,
  LIBRARY_ID,
  LIBRARY_NAME,
  libraryCreated,
  libraryDeleted,
  T0,
} from '@cls/testing';

const spec = deciderSpecification(libraryDecider);
const NOW = '2026-11-23T10:05:00.000Z';
const TOKEN = 'c2a1e7d4-6f0b-4b8e-9b53-7b0f4c2d9e01';
const DATASTORE: StorageBacking = { type: 'DATASTORE', datastoreId: 'datastore-1' };
const OTHER: StorageBacking = { type: 'OTHER', storageUri: 'file:///srv/libs/isos' };

function create(overrides: Partial<CreateLocalLibrary> = {}): LibraryCommand {
  return {
    type: 'CreateLocalLibrary',
    libraryId: LIBRARY_ID,
    name: LIBRARY_NAME,
    description: '',
    storageBackings: [DATASTORE],
    now: T0,
    ...overrides,
  };
}

const remove: LibraryCommand = { type: 'DeleteLocalLibrary', libraryId: LIBRARY_ID, now: NOW };

describe('local library decider (contract §3.2)', () => {
  describe('create', () => {
    it('creates a library on its one storage backing', () => {
      spec.given([]).when(create()).then([libraryCreated()]);
    });

    it('records description, server guid, extras and client token', () => {
      const extras = { publish_info: { published: false } };
      spec
        .given([])
        .when(
          create({
            description: 'installer images',
            storageBackings: [OTHER],
            serverGuid: 'guid-1',
            extras,
            clientToken: TOKEN,
          }),
        )
        .then([
          libraryCreated({
            description: 'installer images',
            storageBacking: OTHER,
            serverGuid: 'guid-1',
            extras,
            clientToken: TOKEN,
          }),
        ]);
    });

    it.each([
      ['empty', ''],
      ['blank', '   \t '],
    ])('refuses an %s name with invalid_argument', (_, name) => {
      const error = spec
        .given([])
        .when(create({ name }))
        .thenThrows('INVALID_ARGUMENT', 'com.vmware.vdcs.cls-main.invalid_argument');
      expect(error.messages[0]?.args[0]).toBe('create_spec.name');
    });

    it(`accepts a name of exactly ${LIBRARY_NAME_MAX} characters`, () => {
      const name = 'n'.repeat(LIBRARY_NAME_MAX);
      spec
        .given([])
        .when(create({ name }))
        .then([libraryCreated({ name })]);
    });

    it(`refuses a name longer than ${LIBRARY_NAME_MAX} characters`, () => {
      const error = spec
        .given([])
        .when(create({ name: 'n'.repeat(LIBRARY_NAME_MAX + 1) }))
        .thenThrows('INVALID_ARGUMENT');
      expect(error.messages[0]?.args[0]).toBe('create_spec.name');
    });

    it('refuses a library without storage backings with invalid_argument', () => {
      const error = spec
        .given([])
        .when(create({ storageBackings: [] }))
        .thenThrows('INVALID_ARGUMENT');
      expect(error.messages[0]?.args[0]).toBe('create_spec.storage_backings');
    });

    it('refuses two storage backings with unsupported', () => {
      spec
        .given([])
        .when(create({ storageBackings: [DATASTORE, OTHER] }))
        .thenThrows('UNSUPPORTED', 'com.vmware.vdcs.cls-main.multiple_storage_backings');
    });

    it('is a no-op when repeated with the same client token', () => {
      spec
        .given([libraryCreated({ clientToken: TOKEN })])
        .when(create({ clientToken: TOKEN }))
        .thenNothingHappened();
    });

    it('refuses to reuse an existing library id without a client token', () => {
      const error = spec
        .given([libraryCreated({ clientToken: TOKEN })])
        .when(create())
        .thenThrows('ALREADY_EXISTS', 'com.vmware.vdcs.cls-main.library_exists');
      expect(error.messages[0]?.args).toEqual([LIBRARY_ID]);
    });

    it('refuses to reuse an id created without a client token when repeated without one', () => {
      spec
        .given([libraryCreated()])
        .when(create())
        .thenThrows('ALREADY_EXISTS', 'com.vmware.vdcs.cls-main.library_exists');
    });

    it('refuses to reuse an existing library id with a different client token', () => {
      spec
        .given([libraryCreated({ clientToken: TOKEN })])
        .when(create({ clientToken: '0d5e8a3c-93b1-4c39-8f4e-2b7a6c1d0e9f' }))
        .thenThrows('ALREADY_EXISTS');
    });

    it('refuses to recreate a deleted library, even with its client token', () => {
      spec
        .given([libraryCreated({ clientToken: TOKEN }), libraryDeleted()])
        .when(create({ clientToken: TOKEN }))
        .thenThrows('ALREADY_EXISTS');
    });
  });

  describe('delete', () => {
    it('deletes a live library', () => {
      spec
        .given([libraryCreated()])
        .when(remove)
        .then([{ type: 'LocalLibraryDeleted', data: { libraryId: LIBRARY_ID, deletedAt: NOW } }]);
    });

    it('is not_found for a library that never existed', () => {
      const error = spec
        .given([])
        .when(remove)
        .thenThrows('NOT_FOUND', 'com.vmware.vdcs.cls-main.library_not_found');
      expect(error.messages[0]?.args).toEqual([LIBRARY_ID]);
    });

    it('is not_found for a library already deleted', () => {
      spec
        .given([libraryCreated(), libraryDeleted()])
        .when(remove)
        .thenThrows('NOT_FOUND', 'com.vmware.vdcs.cls-main.library_not_found');
    });

    it('remembers where the deleted library kept its bytes, for the garbage collector', () => {
      const state = [libraryCreated({ storageBacking: OTHER }), libraryDeleted()].reduce(
        libraryDecider.evolve,
        libraryDecider.initialState(),
      );
      expect(state).toEqual({ status: 'DELETED', libraryId: LIBRARY_ID, storageBacking: OTHER });
    });
  });
});
