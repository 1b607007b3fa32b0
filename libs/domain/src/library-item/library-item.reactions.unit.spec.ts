import type { DownloadSessionEvent, LibraryItemEvent } from '@cls/domain';
import { downloadSessionReactions, libraryItemReactions } from '@cls/domain';
import {
  downloadSessionCanceled,
  downloadSessionCreated,
  downloadSessionFailed,
  DOWNLOAD_SESSION_ID,
  ITEM_ID,
  LIBRARY_ID,
  T0,
} from '@cls/testing';

const EVENT_ID = '5b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';
const collection = {
  job: 'collect-garbage',
  jobId: `${EVENT_ID}-collect-garbage`,
  data: { itemId: ITEM_ID, causationId: EVENT_ID },
};

describe('garbage collection reactions (ADR 0004)', () => {
  const commit = (contentVersion: number): LibraryItemEvent => ({
    type: 'LibraryItemContentCommitted',
    data: { itemId: ITEM_ID, sessionId: ITEM_ID, contentVersion, files: [], committedAt: T0 },
  });

  it('collects an item after a commit replaced its content and after it is deleted', () => {
    const events: LibraryItemEvent[] = [
      commit(3),
      {
        type: 'LibraryItemDeleted',
        data: { itemId: ITEM_ID, libraryId: LIBRARY_ID, reason: 'CLIENT', deletedAt: T0 },
      },
    ];
    for (const event of events) expect(libraryItemReactions(event, EVENT_ID)).toEqual([collection]);
  });

  it('does nothing after the first commit: the empty version it replaced stored nothing', () => {
    expect(libraryItemReactions(commit(2), EVENT_ID)).toEqual([]);
  });

  it("does nothing after a copy: it is the new item's first content", () => {
    const copied: LibraryItemEvent = {
      type: 'LibraryItemContentCopied',
      data: {
        itemId: ITEM_ID,
        sourceItemId: LIBRARY_ID,
        sourceContentVersion: 5,
        contentVersion: 2,
        files: [],
        committedAt: T0,
      },
    };
    expect(libraryItemReactions(copied, EVENT_ID)).toEqual([]);
  });

  it('does nothing when an item is created', () => {
    const created: LibraryItemEvent = {
      type: 'LibraryItemCreated',
      data: { itemId: ITEM_ID, libraryId: LIBRARY_ID, name: 'n', description: '', createdAt: T0 },
    };
    expect(libraryItemReactions(created, EVENT_ID)).toEqual([]);
  });

  it('releases the pinned version whenever a download session ends, however it ends', () => {
    const endings: DownloadSessionEvent[] = [
      downloadSessionCanceled(),
      downloadSessionFailed(),
      {
        type: 'DownloadSessionExpired',
        data: { sessionId: DOWNLOAD_SESSION_ID, libraryItemId: ITEM_ID, expiredAt: T0 },
      },
      {
        type: 'DownloadSessionDeleted',
        data: { sessionId: DOWNLOAD_SESSION_ID, libraryItemId: ITEM_ID, deletedAt: T0 },
      },
    ];
    for (const event of endings) {
      expect(downloadSessionReactions(event, EVENT_ID)).toContainEqual(collection);
    }
  });

  it('keeps the pin while the session lives', () => {
    const jobs = downloadSessionReactions(downloadSessionCreated(), EVENT_ID).map((r) => r.job);
    expect(jobs).toEqual(['expire-download-session']);
  });
});
