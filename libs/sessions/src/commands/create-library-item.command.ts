import { randomUUID } from 'node:crypto';

import { Command, CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';

import { requirePrivilege } from '@cls/access';
import { libraryDecider, libraryItemDecider, notFound } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { Clock } from '../shared/clock';
import { idFromClientToken, requireUuidToken } from '../shared/client-token';
import type { RequestContext } from '../shared/request-context';
import { metadataFor } from '../shared/request-context';
import { LibraryItemQueries } from '../queries/library-item.queries';
import { LibraryQueries } from '../queries/library.queries';

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
    const library = await this.libraries.find(input.libraryId);
    if (!library) throw notFound('library', input.libraryId);
    requirePrivilege(context.caller, 'ContentLibrary.AddLibraryItem', {
      kind: 'library',
      id: library.id,
    });
    const clientToken = requireUuidToken(input.clientToken);
    // A retried import with the same token lands on the same stream and finds its own item.
    const itemId =
      clientToken === undefined
        ? randomUUID()
        : idFromClientToken('library_item', context.caller.user, clientToken);
    const itemNamedAlike = await this.items.idNamed(library.id, input.name);
    await this.runner.transact(
      async (scope) => {
        // Relied on, not written: a library delete must see this item, or this create its deletion.
        const { state: current } = await scope.rely(libraryDecider, library.id);
        if (current.status !== 'LIVE') throw notFound('library', library.id);
        await scope.decide(libraryItemDecider, itemId, {
          type: 'CreateLibraryItem',
          itemId,
          library: {
            id: library.id,
            name: library.name,
            ...(itemNamedAlike === undefined || itemNamedAlike === itemId
              ? {}
              : { itemNamedAlike }),
          },
          name: input.name,
          description: input.description ?? '',
          ...(input.type === undefined ? {} : { itemType: input.type }),
          ...(clientToken === undefined ? {} : { clientToken }),
          now: this.clock.now().toISOString(),
        });
      },
      metadataFor(context, 'CreateLibraryItem'),
    );
    return itemId;
  }
}
