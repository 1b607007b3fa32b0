import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import { requirePrivilege } from '@cls/access';
import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { LibraryItemQueries } from '../queries/library-item.queries';
import { LibraryContentRemoval } from './library-content-removal';

export class DeleteLibraryItemCommand extends Command<void> {
  constructor(
    readonly context: RequestContext,
    readonly itemId: string,
  ) {
    super();
  }
}

/** Deleting an item cancels its ACTIVE update session in the same transaction (contract §8.8). */
@CommandHandler(DeleteLibraryItemCommand)
export class DeleteLibraryItemHandler implements ICommandHandler<DeleteLibraryItemCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly items: LibraryItemQueries,
    private readonly removal: LibraryContentRemoval,
    private readonly storage: ContentStorage,
  ) {}

  async execute({ context, itemId }: DeleteLibraryItemCommand): Promise<void> {
    const item = await this.items.require(itemId);
    requirePrivilege(context.caller, 'ContentLibrary.DeleteLibraryItem', {
      kind: 'library_item',
      id: item.id,
      libraryId: item.libraryId,
    });
    const { result } = await this.runner.transact(
      (scope) => this.removal.removeItem(scope, item.id, 'CLIENT', this.clock.now().toISOString()),
      metadataFor(context, 'DeleteLibraryItem'),
    );
    if (result.canceled)
      await this.storage.discardSession(result.canceled.sessionId, result.canceled.transfers);
  }
}
