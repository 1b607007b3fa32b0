import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';

import { AccessModule } from '@cls/access';
import { Clock, SystemClock } from '@cls/context';
import { DATA_SOURCE } from '@cls/database';
import { DeciderCommandRunner, PostgresEventStore } from '@cls/event-store';
import { Metrics } from '@cls/observability';
import { INLINE_PROJECTIONS } from '@cls/projections';
import { TransferModule } from '@cls/transfer';

import { CollectItemGarbageHandler } from './commands/collect-item-garbage.command';
import { CopyLibraryItemHandler } from './commands/copy-library-item.command';
import { CreateDownloadSessionHandler } from './commands/create-download-session.command';
import { CreateLibraryItemHandler } from './commands/create-library-item.command';
import { CreateLocalLibraryHandler } from './commands/create-local-library.command';
import { CreateUpdateSessionHandler } from './commands/create-update-session.command';
import { DeleteLibraryItemHandler } from './commands/delete-library-item.command';
import { DeleteLocalLibraryHandler } from './commands/delete-local-library.command';
import { DeleteSessionsOfUserHandler } from './commands/delete-sessions-of-user.command';
import { DiscardSessionStagingHandler } from './commands/discard-session-staging.command';
import { ExpireDownloadSessionHandler } from './commands/expire-download-session.command';
import { ExpireUpdateSessionHandler } from './commands/expire-update-session.command';
import { FinishUpdateSessionCompletionHandler } from './commands/finish-update-session-completion.command';
import { LibraryContentRemoval } from './commands/library-content-removal';
import { OperateDownloadSessionHandler } from './commands/operate-download-session.command';
import { OperateUpdateSessionHandler } from './commands/operate-update-session.command';
import { PrepareDownloadSessionFileHandler } from './commands/prepare-download-session-file.command';
import { PullUpdateSessionFileHandler } from './commands/pull-update-session-file.command';
import { UnpackUpdateSessionArchiveHandler } from './commands/unpack-update-session-archive.command';
import { UpdateSessionCompletion } from './commands/update-session-completion';
import {
  AddUpdateSessionFileHandler,
  RemoveUpdateSessionFileHandler,
} from './commands/update-session-files.command';
import { DownloadEndpoints } from './content/download-endpoints';
import { DownloadService } from './content/download.service';
import { LibraryFolders } from './content/library-folders';
import { OvfAdapter } from './content/ovf-adapter';
import { PullSourceSecrets } from './content/pull-source-secrets';
import { SessionLeftovers } from './content/session-leftovers';
import { StoredContentCollector } from './content/stored-content-collector';
import { TransferDecisions } from './content/transfer-decisions';
import { FileTransfers } from './content/file-transfer';
import { UploadService } from './content/upload.service';
import { DownloadSessionQueries } from './queries/download-session.queries';
import { EventHistoryQueries } from './queries/event-history.queries';
import { LibraryItemFileQueries } from './queries/library-item-file.queries';
import { LibraryItemQueries } from './queries/library-item.queries';
import { LibraryQueries } from './queries/library.queries';
import { SessionStateQueries } from './queries/session-state.queries';
import { UnfinishedWorkQueries } from './queries/unfinished-work.queries';
import { UpdateSessionFileQueries } from './queries/update-session-file.queries';
import { UpdateSessionQueries } from './queries/update-session.queries';
import { createEventTypeRegistry } from './shared/event-types';

const COMMAND_HANDLERS = [
  CreateLocalLibraryHandler,
  DeleteLocalLibraryHandler,
  CreateLibraryItemHandler,
  CopyLibraryItemHandler,
  DeleteLibraryItemHandler,
  CreateUpdateSessionHandler,
  OperateUpdateSessionHandler,
  AddUpdateSessionFileHandler,
  RemoveUpdateSessionFileHandler,
  PullUpdateSessionFileHandler,
  FinishUpdateSessionCompletionHandler,
  ExpireUpdateSessionHandler,
  DiscardSessionStagingHandler,
  CollectItemGarbageHandler,
  UnpackUpdateSessionArchiveHandler,
  CreateDownloadSessionHandler,
  OperateDownloadSessionHandler,
  ExpireDownloadSessionHandler,
  PrepareDownloadSessionFileHandler,
  DeleteSessionsOfUserHandler,
];

const QUERIES = [
  LibraryQueries,
  LibraryItemQueries,
  LibraryItemFileQueries,
  UpdateSessionQueries,
  UpdateSessionFileQueries,
  UnfinishedWorkQueries,
  DownloadSessionQueries,
  EventHistoryQueries,
  SessionStateQueries,
];

/** The application layer: command handlers over the event store, and the queries over the views. */
@Module({
  imports: [CqrsModule.forRoot(), AccessModule, TransferModule],
  providers: [
    { provide: Clock, useClass: SystemClock },
    {
      provide: PostgresEventStore,
      inject: [DATA_SOURCE, Metrics],
      useFactory: (dataSource: DataSource, metrics: Metrics) =>
        new PostgresEventStore(dataSource, createEventTypeRegistry(), INLINE_PROJECTIONS, {
          appended: (outcome, seconds) => metrics.observeAppend(outcome, seconds),
        }),
    },
    {
      provide: DeciderCommandRunner,
      inject: [PostgresEventStore],
      useFactory: (store: PostgresEventStore) => new DeciderCommandRunner(store),
    },
    LibraryContentRemoval,
    UpdateSessionCompletion,
    LibraryFolders,
    SessionLeftovers,
    PullSourceSecrets,
    TransferDecisions,
    FileTransfers,
    OvfAdapter,
    StoredContentCollector,
    DownloadEndpoints,
    DownloadService,
    UploadService,
    ...COMMAND_HANDLERS,
    ...QUERIES,
  ],
  exports: [
    CqrsModule,
    AccessModule,
    TransferModule,
    Clock,
    PostgresEventStore,
    UploadService,
    DownloadEndpoints,
    DownloadService,
    SessionLeftovers,
    ...QUERIES,
  ],
})
export class SessionsModule {}
