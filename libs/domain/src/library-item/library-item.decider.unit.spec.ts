import type {
  CopyLibraryItem,
  CreateLibraryItem,
  LibraryFacts,
  LibraryItemCommand,
  LibraryItemContentCopied,
} from '@cls/domain';
import { ITEM_DESCRIPTION_MAX, ITEM_NAME_MAX, libraryItemDecider } from '@cls/domain';
import {
  deciderSpecification,
  ITEM_ID,
  ITEM_NAME,
  LIBRARY_ID,
  LIBRARY_NAME,
  libraryItemCreated,
  libraryItemDeleted,
  storedFile,
  T0,
} from '@cls/testing';

const spec = deciderSpecification(libraryItemDecider);
const NOW = '2026-11-23T10:05:00.000Z';
const TOKEN = 'c2a1e7d4-6f0b-4b8e-9b53-7b0f4c2d9e01';
const library: LibraryFacts = { id: LIBRARY_ID, name: LIBRARY_NAME };

function create(overrides: Partial<CreateLibraryItem> = {}): LibraryItemCommand {
  return {
    type: 'CreateLibraryItem',
    itemId: ITEM_ID,
    library,
    name: ITEM_NAME,
    description: '',
    now: T0,
    ...overrides,
  };
}

function remove(reason: 'CLIENT' | 'LIBRARY_DELETED' = 'CLIENT'): LibraryItemCommand {
  return { type: 'DeleteLibraryItem', itemId: ITEM_ID, reason, now: NOW };
}

describe('library item decider (contract §3.4)', () => {
  describe('create', () => {
    it('creates an item in the library', () => {
      spec.given([]).when(create()).then([libraryItemCreated()]);
    });

    it('records description, type and client token', () => {
      spec
        .given([])
        .when(create({ description: 'installer', itemType: 'iso', clientToken: TOKEN }))
        .then([
          libraryItemCreated({ description: 'installer', itemType: 'iso', clientToken: TOKEN }),
        ]);
    });

    it('refuses an empty name with invalid_argument', () => {
      const error = spec
        .given([])
        .when(create({ name: '' }))
        .thenThrows('INVALID_ARGUMENT', 'com.vmware.vdcs.cls-main.invalid_argument');
      expect(error.messages[0]?.args[0]).toBe('create_spec.name');
    });

    it(`accepts a name of exactly ${ITEM_NAME_MAX} characters`, () => {
      const name = 'i'.repeat(ITEM_NAME_MAX);
      spec
        .given([])
        .when(create({ name }))
        .then([libraryItemCreated({ name })]);
    });

    it(`refuses a name of ${ITEM_NAME_MAX + 1} characters`, () => {
      const error = spec
        .given([])
        .when(create({ name: 'i'.repeat(ITEM_NAME_MAX + 1) }))
        .thenThrows('INVALID_ARGUMENT');
      expect(error.messages[0]?.args[0]).toBe('create_spec.name');
    });

    it(`accepts a description of exactly ${ITEM_DESCRIPTION_MAX} characters`, () => {
      const description = 'd'.repeat(ITEM_DESCRIPTION_MAX);
      spec
        .given([])
        .when(create({ description }))
        .then([libraryItemCreated({ description })]);
    });

    it(`refuses a description of ${ITEM_DESCRIPTION_MAX + 1} characters`, () => {
      const error = spec
        .given([])
        .when(create({ description: 'd'.repeat(ITEM_DESCRIPTION_MAX + 1) }))
        .thenThrows('INVALID_ARGUMENT');
      expect(error.messages[0]?.args[0]).toBe('create_spec.description');
    });

    it('refuses a name another item of the library uses with already_exists (contract §1.6)', () => {
      const error = spec
        .given([])
        .when(
          create({
            library: { ...library, itemNamedAlike: 'f00d0000-0000-4000-8000-000000000001' },
          }),
        )
        .thenThrows(
          'ALREADY_EXISTS',
          'com.vmware.vdcs.cls-main.duplicate_item_name_unsupported_in_library',
        );
      expect(error.messages[0]?.args).toEqual([ITEM_NAME, LIBRARY_NAME, LIBRARY_ID]);
      expect(error.messages[0]?.defaultMessage).toContain(ITEM_NAME);
    });

    it('is a no-op when repeated with the same client token', () => {
      spec
        .given([libraryItemCreated({ clientToken: TOKEN })])
        .when(create({ clientToken: TOKEN }))
        .thenNothingHappened();
    });

    it('refuses to reuse an existing item id without the same client token', () => {
      spec
        .given([libraryItemCreated({ clientToken: TOKEN })])
        .when(create())
        .thenThrows('ALREADY_EXISTS');
    });
    it('refuses to reuse an existing item id with a different client token', () => {
      spec
        .given([libraryItemCreated({ clientToken: TOKEN })])
        .when(create({ clientToken: '0d5e8a3c-93b1-4c39-8f4e-2b7a6c1d0e9f' }))
        .thenThrows('ALREADY_EXISTS');
    });

    it('refuses to reuse an id created without a client token when repeated without one', () => {
      spec.given([libraryItemCreated()]).when(create()).thenThrows('ALREADY_EXISTS');
    });

    it('refuses to recreate a deleted item, even with its client token', () => {
      spec
        .given([libraryItemCreated({ clientToken: TOKEN }), libraryItemDeleted()])
        .when(create({ clientToken: TOKEN }))
        .thenThrows('ALREADY_EXISTS');
    });
  });

  describe('copy', () => {
    const SOURCE_ID = '7d1c9a2e-3b4f-4c5d-8e6f-0a1b2c3d4e5f';
    const files = [storedFile({ name: 'disk.vmdk' }), storedFile({ name: 'tiny.ovf' })];
    const copy = (overrides: Partial<CopyLibraryItem> = {}): LibraryItemCommand => ({
      type: 'CopyLibraryItem',
      itemId: ITEM_ID,
      library,
      name: ITEM_NAME,
      description: '',
      itemType: 'ovf',
      now: T0,
      source: { itemId: SOURCE_ID, contentVersion: 4, files },
      ...overrides,
    });
    const copied: LibraryItemContentCopied = {
      type: 'LibraryItemContentCopied',
      data: {
        itemId: ITEM_ID,
        sourceItemId: SOURCE_ID,
        sourceContentVersion: 4,
        contentVersion: 2,
        files,
        committedAt: T0,
      },
    };

    it('creates the item with the source content as its first commit (content version 2)', () => {
      spec
        .given([])
        .when(copy())
        .then([libraryItemCreated({ itemType: 'ovf' }), copied]);
    });

    it('a copy of an item without content still starts a history of its own', () => {
      spec
        .given([])
        .when(copy({ source: { itemId: SOURCE_ID, contentVersion: 1, files: [] } }))
        .then([
          libraryItemCreated({ itemType: 'ovf' }),
          { ...copied, data: { ...copied.data, sourceContentVersion: 1, files: [] } },
        ]);
    });

    it('a retried copy with the same client token finds its item: nothing to do', () => {
      spec
        .given([libraryItemCreated({ clientToken: TOKEN }), copied])
        .when(copy({ clientToken: TOKEN }))
        .then([]);
    });

    it('refuses a name taken in the destination library, like a create', () => {
      spec
        .given([])
        .when(copy({ library: { ...library, itemNamedAlike: SOURCE_ID } }))
        .thenThrows('ALREADY_EXISTS');
    });
  });

  describe('delete', () => {
    it.each(['CLIENT', 'LIBRARY_DELETED'] as const)(
      'deletes a live item with reason %s, naming its library',
      (reason) => {
        spec
          .given([libraryItemCreated()])
          .when(remove(reason))
          .then([
            {
              type: 'LibraryItemDeleted',
              data: { itemId: ITEM_ID, libraryId: LIBRARY_ID, reason, deletedAt: NOW },
            },
          ]);
      },
    );

    it('takes the library id from the stream, not from the command', () => {
      const otherLibrary = '99999999-0000-4000-8000-000000000000';
      spec
        .given([libraryItemCreated({ libraryId: otherLibrary })])
        .when(remove())
        .then([libraryItemDeleted({ libraryId: otherLibrary, deletedAt: NOW })]);
    });

    it('is not_found for an unknown item', () => {
      const error = spec
        .given([])
        .when(remove())
        .thenThrows('NOT_FOUND', 'com.vmware.vdcs.cls-main.library_item_not_found');
      expect(error.messages[0]?.args).toEqual([ITEM_ID]);
    });

    it('remembers the library of a deleted item, for the garbage collector', () => {
      const state = [libraryItemCreated(), libraryItemDeleted()].reduce(
        libraryItemDecider.evolve,
        libraryItemDecider.initialState(),
      );
      expect(state).toEqual({ status: 'DELETED', itemId: ITEM_ID, libraryId: LIBRARY_ID });
    });

    it('is not_found for an item already deleted', () => {
      spec
        .given([libraryItemCreated(), libraryItemDeleted()])
        .when(remove())
        .thenThrows('NOT_FOUND');
    });
  });
});
