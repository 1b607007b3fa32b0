import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import { libraryItemDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { LibraryItemQueries } from '../queries/library-item.queries';
import { LibraryQueries } from '../queries/library.queries';
import { placeNewItem, relyOnLiveLibrary } from './new-item-placement';

export interface CreateLibraryItemInput {
  readonly libraryId: string;
  readonly name: string;
  readonly description?: string;
  readonly type?: string;
  readonly clientToken?: string;
}

export class CreateLibraryItemCommand extends Command<string> {
  constructor(
    readonly context: RequestContext,
    readonly input: CreateLibraryItemInput,
  ) {
    super();
  }
}

@CommandHandler(CreateLibraryItemCommand)
export class CreateLibraryItemHandler implements ICommandHandler<CreateLibraryItemCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly libraries: LibraryQueries,
    private readonly items: LibraryItemQueries,
  ) {}

  async execute({ context, input }: CreateLibraryItemCommand): Promise<string> {
    const placement = await placeNewItem(
      context.caller,
      { libraries: this.libraries, items: this.items },
      input.libraryId,
      input.name,
      input.clientToken,
    );
    await this.runner.transact(
      async (scope) => {
        await relyOnLiveLibrary(scope, placement.library.id);
        await scope.decide(libraryItemDecider, placement.itemId, {
          type: 'CreateLibraryItem',
          itemId: placement.itemId,
          library: placement.library,
          name: input.name,
          description: input.description ?? '',
          ...(input.type === undefined ? {} : { itemType: input.type }),
          ...(placement.clientToken === undefined ? {} : { clientToken: placement.clientToken }),
          now: this.clock.now().toISOString(),
        });
      },
      metadataFor(context, 'CreateLibraryItem'),
    );
    return placement.itemId;
  }
}
