import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import type { WarningBehavior } from '@cls/domain';
import { updateSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { openSessionOn } from './session-opening';

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One ACTIVE session per item is settled by the view's partial unique index: a create that loses
   * the race is refused by its own commit (`resource_busy`), with nothing to read first.
   */
  async execute({ context, input }: CreateUpdateSessionCommand): Promise<string> {
    const { result: sessionId } = await this.runner.transact(
      async (scope) => {
        const { item, sessionId, clientToken } = await openSessionOn(scope, context, {
          libraryItemId: input.libraryItemId,
          ...(input.clientToken === undefined ? {} : { clientToken: input.clientToken }),
          privilege: 'ContentLibrary.UpdateSession',
          session: updateSessionDecider,
        });
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
            contentVersion: item.contentVersion,
            files: item.files,
          },
          warningBehavior: input.warningBehavior ?? [],
          ...(clientToken === undefined ? {} : { clientToken }),
        });
        return sessionId;
      },
      metadataFor(context, 'CreateUpdateSession'),
    );
    return sessionId;
  }
}
