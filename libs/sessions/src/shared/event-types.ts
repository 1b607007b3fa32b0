import { EventTypeRegistry } from '@cls/event-store';

/**
 * Every event type the service stores, with its upcasters (none yet: all at schema version 1).
 * A stored type name is forever; a changed shape adds an upcaster here (STYLE §5).
 */
export function createEventTypeRegistry(): EventTypeRegistry {
  return new EventTypeRegistry()
    .register('LocalLibraryCreated')
    .register('LocalLibraryDeleted')
    .register('LibraryItemCreated')
    .register('LibraryItemDeleted')
    .register('UpdateSessionCreated')
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
    .register('UpdateSessionFileReceived')
    .register('UpdateSessionFileTransferFailed')
    .register('UpdateSessionArchiveUnpacked')
    .register('LibraryItemContentCommitted')
    .register('DownloadSessionCreated')
    .register('DownloadSessionKeptAlive')
    .register('DownloadSessionFilePrepared')
    .register('DownloadSessionCanceled')
    .register('DownloadSessionFailed')
    .register('DownloadSessionExpired')
    .register('DownloadSessionPurged')
    .register('DownloadSessionDeleted');
}
