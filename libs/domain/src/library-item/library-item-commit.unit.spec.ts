import type {
  CommitLibraryItemContent,
  IncomingFile,
  LibraryItemCommand,
  LibraryItemEvent,
  StoredFile,
} from '@cls/domain';
import { fold, libraryItemDecider } from '@cls/domain';
import {
  ABC_DIGESTS,
  deciderSpecification,
  EMPTY_DIGESTS,
  ITEM_ID,
  libraryItemContentCommitted,
  libraryItemCreated,
  libraryItemDeleted,
  SESSION_ID,
} from '@cls/testing';

const spec = deciderSpecification(libraryItemDecider);
const NOW = '2026-11-23T10:05:00.000Z';
const SECOND_SESSION = '0b6f3c2e-1111-4a2b-9c3d-000000000002';

function incoming(
  name: string,
  transfer: string,
  overrides: Partial<IncomingFile> = {},
): IncomingFile {
  return {
    name,
    size: 1024,
    digests: { SHA1: EMPTY_DIGESTS.SHA1 },
    storageKey: `${ITEM_ID}/${name}/${transfer}`,
    ...overrides,
  };
}

function commit(overrides: Partial<CommitLibraryItemContent> = {}): LibraryItemCommand {
  return {
    type: 'CommitLibraryItemContent',
    itemId: ITEM_ID,
    sessionId: SESSION_ID,
    incoming: [],
    kept: [],
    now: NOW,
    ...overrides,
  };
}

function stored(file: IncomingFile, version: number): StoredFile {
  return { ...file, version };
}

const disk = incoming('disk-1.vmdk', 't1', { size: 4096, digests: { SHA1: ABC_DIGESTS.SHA1 } });
const descriptor = incoming('appliance.ovf', 't2', { size: 512 });

/** An item whose first session brought the descriptor and the disk: content_version 2. */
const withTwoFiles: LibraryItemEvent[] = [
  libraryItemCreated(),
  libraryItemContentCommitted({
    contentVersion: 2,
    files: [stored(descriptor, 1), stored(disk, 1)],
  }),
];

describe('library item content commit (contract §8.4)', () => {
  it('a first commit of two new files bumps content_version to 2, files in name order at version 1', () => {
    spec
      .given([libraryItemCreated()])
      .when(commit({ incoming: [disk, descriptor] }))
      .then([
        libraryItemContentCommitted({
          contentVersion: 2,
          files: [stored(descriptor, 1), stored(disk, 1)],
          committedAt: NOW,
        }),
      ]);
  });

  it('a later commit replaces one file at version +1 and keeps the other unchanged', () => {
    const replacement = incoming('disk-1.vmdk', 't3', { size: 8192 });
    spec
      .given(withTwoFiles)
      .when(commit({ sessionId: SECOND_SESSION, incoming: [replacement], kept: ['appliance.ovf'] }))
      .then([
        libraryItemContentCommitted({
          sessionId: SECOND_SESSION,
          contentVersion: 3,
          files: [stored(descriptor, 1), stored(replacement, 2)],
          committedAt: NOW,
        }),
      ]);
  });

  it('a kept file keeps its storage key, size, digests and version', () => {
    const replacement = incoming('disk-1.vmdk', 't3');
    const [event] = libraryItemDecider.decide(
      commit({ incoming: [replacement], kept: ['appliance.ovf'] }),
      fold(libraryItemDecider.evolve, libraryItemDecider.initialState(), withTwoFiles),
    );
    const files = event?.type === 'LibraryItemContentCommitted' ? event.data.files : [];
    expect(files.find((file) => file.name === 'appliance.ovf')).toEqual(stored(descriptor, 1));
    expect(files.find((file) => file.name === 'disk-1.vmdk')?.storageKey).toBe(
      `${ITEM_ID}/disk-1.vmdk/t3`,
    );
  });

  it('versions keep counting over several commits', () => {
    const third = incoming('disk-1.vmdk', 't4');
    spec
      .given([
        ...withTwoFiles,
        libraryItemContentCommitted({
          contentVersion: 3,
          files: [stored(descriptor, 1), stored(incoming('disk-1.vmdk', 't3'), 2)],
        }),
      ])
      .when(commit({ incoming: [third], kept: ['appliance.ovf'] }))
      .then([
        libraryItemContentCommitted({
          contentVersion: 4,
          files: [stored(descriptor, 1), stored(third, 3)],
          committedAt: NOW,
        }),
      ]);
  });

  it('a commit that keeps nothing and brings nothing removes every file', () => {
    spec
      .given(withTwoFiles)
      .when(commit())
      .then([libraryItemContentCommitted({ contentVersion: 3, files: [], committedAt: NOW })]);
  });

  it('a file not kept is removed, the kept one stays', () => {
    spec
      .given(withTwoFiles)
      .when(commit({ kept: ['disk-1.vmdk'] }))
      .then([
        libraryItemContentCommitted({
          contentVersion: 3,
          files: [stored(disk, 1)],
          committedAt: NOW,
        }),
      ]);
  });

  it('a commit with nothing incoming and everything kept changes nothing', () => {
    spec
      .given(withTwoFiles)
      .when(commit({ kept: ['disk-1.vmdk', 'appliance.ovf'] }))
      .thenNothingHappened();
  });

  it('a session without files on an empty item bumps nothing', () => {
    spec.given([libraryItemCreated()]).when(commit()).thenNothingHappened();
  });

  it('kept names the item does not have are ignored', () => {
    spec
      .given([libraryItemCreated()])
      .when(commit({ incoming: [disk], kept: ['ghost.txt'] }))
      .then([
        libraryItemContentCommitted({
          contentVersion: 2,
          files: [stored(disk, 1)],
          committedAt: NOW,
        }),
      ]);
  });

  it('a file removed earlier and brought again starts over at version 1', () => {
    const back = incoming('disk-1.vmdk', 't9');
    spec
      .given([
        ...withTwoFiles,
        libraryItemContentCommitted({ contentVersion: 3, files: [stored(descriptor, 1)] }),
      ])
      .when(commit({ incoming: [back], kept: ['appliance.ovf'] }))
      .then([
        libraryItemContentCommitted({
          contentVersion: 4,
          files: [stored(descriptor, 1), stored(back, 1)],
          committedAt: NOW,
        }),
      ]);
  });

  it('the committed event becomes the item state', () => {
    const state = fold(libraryItemDecider.evolve, libraryItemDecider.initialState(), withTwoFiles);
    expect(state).toMatchObject({
      status: 'LIVE',
      contentVersion: 2,
      files: [stored(descriptor, 1), stored(disk, 1)],
    });
  });

  it('is not_found on a deleted item', () => {
    spec
      .given([...withTwoFiles, libraryItemDeleted({ deletedAt: NOW })])
      .when(commit({ incoming: [disk] }))
      .thenThrows('NOT_FOUND', 'com.vmware.vdcs.cls-main.library_item_not_found');
  });

  it('is not_found on an unknown item', () => {
    spec
      .given([])
      .when(commit({ incoming: [disk] }))
      .thenThrows('NOT_FOUND', 'com.vmware.vdcs.cls-main.library_item_not_found');
  });

  it('a commit after deletion does not revive the item', () => {
    const state = fold(libraryItemDecider.evolve, libraryItemDecider.initialState(), [
      libraryItemCreated(),
      libraryItemDeleted(),
      libraryItemContentCommitted({ files: [stored(disk, 1)] }),
    ]);
    expect(state.status).toBe('DELETED');
  });
});
