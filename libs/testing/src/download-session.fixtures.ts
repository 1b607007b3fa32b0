import type {
  DownloadSessionCanceled,
  DownloadSessionCreated,
  DownloadSessionFailed,
  DownloadSessionFilePrepared,
} from '@cls/domain';
import { addSeconds, message } from '@cls/domain';

import { storedFile } from './session-file.fixtures';
import { alice, ITEM_ID, LIBRARY_ID, T0, TIMEOUT } from './update-session.fixtures';

export const DOWNLOAD_SESSION_ID = '5d0a9e3c-3333-4b2c-8d4e-000000000002';

type Overrides<T extends { data: object }> = Partial<T['data']>;

export function downloadSessionCreated(
  overrides: Overrides<DownloadSessionCreated> = {},
): DownloadSessionCreated {
  return {
    type: 'DownloadSessionCreated',
    data: {
      sessionId: DOWNLOAD_SESSION_ID,
      libraryItemId: ITEM_ID,
      libraryId: LIBRARY_ID,
      itemContentVersion: 3,
      files: [storedFile()],
      owner: alice.user,
      createdAt: T0,
      expiresAt: addSeconds(T0, TIMEOUT),
      ...overrides,
    },
  };
}

export function downloadFilePrepared(
  overrides: Overrides<DownloadSessionFilePrepared> = {},
): DownloadSessionFilePrepared {
  return {
    type: 'DownloadSessionFilePrepared',
    data: {
      sessionId: DOWNLOAD_SESSION_ID,
      name: storedFile().name,
      endpointType: 'HTTPS',
      expiresAt: addSeconds(T0, TIMEOUT),
      ...overrides,
    },
  };
}

export function downloadSessionCanceled(at = T0): DownloadSessionCanceled {
  return {
    type: 'DownloadSessionCanceled',
    data: {
      sessionId: DOWNLOAD_SESSION_ID,
      libraryItemId: ITEM_ID,
      canceledAt: at,
      expiresAt: addSeconds(at, TIMEOUT),
    },
  };
}

export function downloadSessionFailed(at = T0, reason = 'disk full'): DownloadSessionFailed {
  return {
    type: 'DownloadSessionFailed',
    data: {
      sessionId: DOWNLOAD_SESSION_ID,
      libraryItemId: ITEM_ID,
      errorMessage: message(
        'com.vmware.vdcs.cls-main.download_session_failed_by_client',
        `The download of library item ${ITEM_ID} has failed. Reason: ${reason}`,
        [ITEM_ID, reason],
      ),
      failedAt: at,
      expiresAt: addSeconds(at, TIMEOUT),
    },
  };
}
