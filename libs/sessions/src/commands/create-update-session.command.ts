import { Inject } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { WarningBehavior } from '@cls/domain';
import { libraryItemDecider, updateSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { Clock } from '../shared/clock';
import type { RequestContext } from '../shared/request-context';
import { metadataFor } from '../shared/request-context';
import { LibraryItemQueries } from '../queries/library-item.queries';
import { UpdateSessionQueries } from '../queries/update-session.queries';
import { committedContentOf, openSessionOn } from './session-opening';

export interface CreateUpdateSessionInput {
  readonly libraryItemId: string;
  readonly warningBehavior?: readonly WarningBehavior[];
  readonly clientToken?: string;
}

export class CreateUpdateSessionCommand extends Command<string> {
  constructor(
    readonly context: RequestContext,
    readonly input: CreateUpdateSessionInput,
  ) {
    super();
  }
}

@CommandHandler(CreateUpdateSessionCommand)
export class CreateUpdateSessionHandler implements ICommandHandler<CreateUpdateSessionCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly items: LibraryItemQueries,
    private readonly sessions: UpdateSessionQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, input }: CreateUpdateSessionCommand): Promise<string> {
    const { item, sessionId, clientToken } = await openSessionOn(this.items, context, {
      libraryItemId: input.libraryItemId,
      ...(input.clientToken === undefined ? {} : { clientToken: input.clientToken }),
      privilege: 'ContentLibrary.UpdateSession',
      streamType: 'update_session',
    });
    const active = await this.sessions.activeSessionOf(item.id);
    await this.runner.transact(
      async (scope) => {
        // The snapshot comes from the item's own stream: the files a complete would keep. Relied
        // on, not written: an item delete must see this session, or this create its deletion.
        const { state: current } = await scope.rely(libraryItemDecider, item.id);
        await scope.decide(updateSessionDecider, sessionId, {
          type: 'CreateUpdateSession',
          sessionId,
          caller: context.caller,
          now: this.clock.now().toISOString(),
          timeoutSeconds: this.config.sessionTimeoutSeconds,
          item: {
            id: item.id,
            libraryId: item.libraryId,
            ...(item.type === undefined ? {} : { type: item.type }),
            ...committedContentOf(item, current),
            ...(active === undefined || active.id === sessionId
              ? {}
              : { activeUpdateSessionId: active.id }),
          },
          warningBehavior: input.warningBehavior ?? [],
          ...(clientToken === undefined ? {} : { clientToken }),
        });
      },
      metadataFor(context, 'CreateUpdateSession'),
    );
    return sessionId;
  }
}
