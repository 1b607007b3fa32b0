import type {
  ChecksumAlgorithm,
  Digests,
  LibraryItemContentCommitted,
  StoredFile,
  UpdateSessionFileAdded,
  UpdateSessionFileReceived,
  UpdateSessionFileRemoved,
  UpdateSessionFileTransferFailed,
  UpdateSessionFileTransferStarted,
} from '@cls/domain';
import { addSeconds, message } from '@cls/domain';

import { ITEM_ID, SESSION_ID, T0, TIMEOUT } from './update-session.fixtures';

export const FILE_NAME = 'ubuntu-24.04.iso';
export const TRANSFER_ID = '53da6d7a-e17d-4c52-a56c-43ad1436b994';
export const OTHER_TRANSFER_ID = '9c1e4b7a-3f2d-4e6b-8a5c-2d7f1e0b3a94';

/** Digests of the empty byte string: real values of the right length for every algorithm. */
export const EMPTY_DIGESTS: Readonly<Record<ChecksumAlgorithm, string>> = {
  SHA1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  MD5: 'd41d8cd98f00b204e9800998ecf8427e',
  SHA256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  SHA512:
    'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
};

/** Digests of the three bytes "abc": a well-formed value that differs from EMPTY_DIGESTS. */
export const ABC_DIGESTS: Readonly<Record<ChecksumAlgorithm, string>> = {
  SHA1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
  MD5: '900150983cd24fb0d6963f7d28e17f72',
  SHA256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  SHA512:
    'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
};

type Overrides<T extends { data: object }> = Partial<T['data']>;

export function storedFile(overrides: Partial<StoredFile> = {}): StoredFile {
  const name = overrides.name ?? FILE_NAME;
  return {
    name,
    size: 1024,
    digests: { SHA1: EMPTY_DIGESTS.SHA1 },
    version: 1,
    storageKey: `${ITEM_ID}/${name}/1`,
    ...overrides,
  };
}

export function fileAdded(
  overrides: Overrides<UpdateSessionFileAdded> = {},
): UpdateSessionFileAdded {
  return {
    type: 'UpdateSessionFileAdded',
    data: {
      sessionId: SESSION_ID,
      name: FILE_NAME,
      sourceType: 'PUSH',
      transferId: TRANSFER_ID,
      expiresAt: addSeconds(T0, TIMEOUT),
      ...overrides,
    },
  };
}

export function fileRemoved(
  overrides: Overrides<UpdateSessionFileRemoved> = {},
): UpdateSessionFileRemoved {
  return {
    type: 'UpdateSessionFileRemoved',
    data: {
      sessionId: SESSION_ID,
      name: FILE_NAME,
      expiresAt: addSeconds(T0, TIMEOUT),
      ...overrides,
    },
  };
}

export function fileTransferStarted(
  overrides: Overrides<UpdateSessionFileTransferStarted> = {},
): UpdateSessionFileTransferStarted {
  return {
    type: 'UpdateSessionFileTransferStarted',
    data: {
      sessionId: SESSION_ID,
      name: FILE_NAME,
      transferId: TRANSFER_ID,
      expiresAt: addSeconds(T0, TIMEOUT),
      ...overrides,
    },
  };
}

export function fileReceived(
  overrides: Overrides<UpdateSessionFileReceived> = {},
): UpdateSessionFileReceived {
  const digests: Digests = { SHA1: EMPTY_DIGESTS.SHA1 };
  return {
    type: 'UpdateSessionFileReceived',
    data: {
      sessionId: SESSION_ID,
      name: FILE_NAME,
      transferId: TRANSFER_ID,
      size: 1024,
      digests,
      completionRequested: false,
      expiresAt: addSeconds(T0, TIMEOUT),
      ...overrides,
    },
  };
}

export function fileTransferFailed(
  overrides: Overrides<UpdateSessionFileTransferFailed> = {},
): UpdateSessionFileTransferFailed {
  return {
    type: 'UpdateSessionFileTransferFailed',
    data: {
      sessionId: SESSION_ID,
      name: FILE_NAME,
      transferId: TRANSFER_ID,
      errorMessage: message(
        'com.vmware.vdcs.cls-main.file_transfer_failed',
        'The connection closed early.',
      ),
      expiresAt: addSeconds(T0, TIMEOUT),
      ...overrides,
    },
  };
}

export function libraryItemContentCommitted(
  overrides: Overrides<LibraryItemContentCommitted> = {},
): LibraryItemContentCommitted {
  return {
    type: 'LibraryItemContentCommitted',
    data: {
      itemId: ITEM_ID,
      sessionId: SESSION_ID,
      contentVersion: 2,
      files: [],
      committedAt: T0,
      ...overrides,
    },
  };
}
