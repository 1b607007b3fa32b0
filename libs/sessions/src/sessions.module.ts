import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';

import { AccessModule } from '@cls/access';
import { DATA_SOURCE } from '@cls/database';
import { DeciderCommandRunner, PostgresEventStore } from '@cls/event-store';
import { INLINE_PROJECTIONS } from '@cls/projections';

import { CreateLibraryItemHandler } from './commands/create-library-item.command';
import { CreateLocalLibraryHandler } from './commands/create-local-library.command';
import { CreateUpdateSessionHandler } from './commands/create-update-session.command';
import { DeleteLibraryItemHandler } from './commands/delete-library-item.command';
import { DeleteLocalLibraryHandler } from './commands/delete-local-library.command';
import { LibraryContentRemoval } from './commands/library-content-removal';
import { OperateUpdateSessionHandler } from './commands/operate-update-session.command';
import { UpdateSessionCompletion } from './commands/update-session-completion';
import {
  AddUpdateSessionFileHandler,
  RemoveUpdateSessionFileHandler,
} from './commands/update-session-files.command';
import { ContentStorage } from './content/content-storage';
import { DataPlaneTokens } from './content/data-plane-tokens';
import { UploadActivity } from './content/upload-activity';
import { UploadService } from './content/upload.service';
import { LibraryItemFileQueries } from './queries/library-item-file.queries';
import { UpdateSessionFileQueries } from './queries/update-session-file.queries';
import { LibraryItemQueries } from './queries/library-item.queries';
import { LibraryQueries } from './queries/library.queries';
import { UpdateSessionQueries } from './queries/update-session.queries';
import { Clock, SystemClock } from './shared/clock';
import { createEventTypeRegistry } from './shared/event-types';

const COMMAND_HANDLERS = [
  CreateLocalLibraryHandler,
  DeleteLocalLibraryHandler,
  CreateLibraryItemHandler,
  DeleteLibraryItemHandler,
  CreateUpdateSessionHandler,
  OperateUpdateSessionHandler,
  AddUpdateSessionFileHandler,
  RemoveUpdateSessionFileHandler,
];

const QUERIES = [
  LibraryQueries,
  LibraryItemQueries,
  LibraryItemFileQueries,
  UpdateSessionQueries,
  UpdateSessionFileQueries,
];

/** The application layer: command handlers over the event store, and the queries over the views. */
@Module({
  imports: [CqrsModule.forRoot(), AccessModule],
  providers: [
    { provide: Clock, useClass: SystemClock },
    {
      provide: PostgresEventStore,
      inject: [DATA_SOURCE],
      useFactory: (dataSource: DataSource) =>
        new PostgresEventStore(dataSource, createEventTypeRegistry(), INLINE_PROJECTIONS),
    },
    {
      provide: DeciderCommandRunner,
      inject: [PostgresEventStore],
      useFactory: (store: PostgresEventStore) => new DeciderCommandRunner(store),
    },
    LibraryContentRemoval,
    UpdateSessionCompletion,
    ContentStorage,
    DataPlaneTokens,
    UploadActivity,
    UploadService,
    ...COMMAND_HANDLERS,
    ...QUERIES,
  ],
  exports: [CqrsModule, AccessModule, Clock, UploadService, ...QUERIES],
})
export class SessionsModule {}
