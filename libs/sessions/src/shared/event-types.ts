import { EventTypeRegistry } from '@cls/event-store';

/**
 * Every event type the service stores, with its upcasters. A stored type name is forever; a
 * changed shape adds an upcaster here (STYLE §5) and a line to docs/events.md.
 */
export function createEventTypeRegistry(): EventTypeRegistry {
  return new EventTypeRegistry()
    .register('LocalLibraryCreated')
    .register('LocalLibraryDeleted')
    .register('LibraryItemCreated')
    .register('LibraryItemDeleted')
    .register('UpdateSessionCreated', [
      // v2 requires `snapshot`: a session opened before items had files started from none.
      (data) => ({ snapshot: [], ...data }),
    ])
    .register('UpdateSessionKeptAlive')
    .register('UpdateSessionWarningBehaviorUpdated')
    .register('UpdateSessionCompleted')
    .register('UpdateSessionCompletionRequested')
    .register('UpdateSessionCanceled')
    .register('UpdateSessionExpired')
    .register('UpdateSessionFailed')
    .register('UpdateSessionDeleted')
    .register('UpdateSessionPurged')
    .register('UpdateSessionFileAdded')
    .register('UpdateSessionFileRemoved')
    .register('UpdateSessionFileTransferStarted')
    .register('UpdateSessionFileReceived', [
      // v2 requires `completionRequested`: before it, any received file could be the last one a
      // completion waited for, so each one asked for the completion job.
      (data) => ({ completionRequested: true, ...data }),
    ])
    .register('UpdateSessionFileTransferFailed')
    .register('UpdateSessionArchiveUnpacked')
    .register('LibraryItemContentCommitted')
    .register('LibraryItemContentCopied')
    .register('DownloadSessionCreated')
    .register('DownloadSessionKeptAlive')
    .register('DownloadSessionFilePrepared')
    .register('DownloadSessionCanceled')
    .register('DownloadSessionFailed')
    .register('DownloadSessionExpired')
    .register('DownloadSessionPurged')
    .register('DownloadSessionDeleted');
}
