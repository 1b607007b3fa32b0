import { Command, CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';

import { StoredContentCollector } from '../content/stored-content-collector';

/** Deletes an item's stored versions that neither the item nor a download session needs. */
export class CollectItemGarbageCommand extends Command<readonly string[]> {
  constructor(readonly itemId: string) {
    super();
  }
}

@CommandHandler(CollectItemGarbageCommand)
export class CollectItemGarbageHandler implements ICommandHandler<CollectItemGarbageCommand> {
  constructor(private readonly collector: StoredContentCollector) {}

  execute({ itemId }: CollectItemGarbageCommand): Promise<readonly string[]> {
    return this.collector.collect(itemId);
  }
}
