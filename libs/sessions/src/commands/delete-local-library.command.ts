import { isDeepStrictEqual } from 'node:util';

import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import { requirePrivilege } from '@cls/access';
import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import { libraryDecider, notFound } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { LibraryItemQueries } from '../queries/library-item.queries';
import { LibraryQueries } from '../queries/library.queries';
import type { CanceledSession } from './library-content-removal';
import { LibraryContentRemoval } from './library-content-removal';

export class DeleteLocalLibraryCommand extends Command<void> {
  constructor(
    readonly context: RequestContext,
    readonly libraryId: string,
  ) {
    super();
  }
}

/** Deleting a library removes its items at once and cancels their ACTIVE sessions, atomically. */
@CommandHandler(DeleteLocalLibraryCommand)
export class DeleteLocalLibraryHandler implements ICommandHandler<DeleteLocalLibraryCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly libraries: LibraryQueries,
    private readonly items: LibraryItemQueries,
    private readonly removal: LibraryContentRemoval,
    private readonly storage: ContentStorage,
  ) {}

  async execute({ context, libraryId }: DeleteLocalLibraryCommand): Promise<void> {
    const library = await this.libraries.find(libraryId);
    if (!library) throw notFound('library', libraryId);
    requirePrivilege(context.caller, 'ContentLibrary.DeleteLocalLibrary', {
      kind: 'library',
      id: library.id,
    });
    const { result: canceledSessions } = await this.runner.transact(
      async (scope) => {
        const now = this.clock.now().toISOString();
        await scope.decide(libraryDecider, library.id, {
          type: 'DeleteLocalLibrary',
          libraryId: library.id,
          now,
        });
        const itemIds = await this.items.idsInLibrary(library.id);
        // An item create relies on the library's stream, so none commits between this list and ours.
        scope.claim(libraryDecider, library.id, async (sql) =>
          isDeepStrictEqual(await this.items.idsInLibrary(library.id, sql), itemIds),
        );
        const canceled: CanceledSession[] = [];
        for (const itemId of itemIds) {
          const removed = await this.removal.removeItem(scope, itemId, 'LIBRARY_DELETED', now);
          if (removed.canceled) canceled.push(removed.canceled);
        }
        return canceled;
      },
      metadataFor(context, 'DeleteLocalLibrary'),
    );
    await Promise.all(
      canceledSessions.map(({ sessionId, transfers }) =>
        this.storage.discardSession(sessionId, transfers),
      ),
    );
  }
}
