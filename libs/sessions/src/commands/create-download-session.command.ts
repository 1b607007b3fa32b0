import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import { downloadSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { openSessionOn } from './session-opening';

export interface CreateDownloadSessionInput {
  readonly libraryItemId: string;
  readonly clientToken?: string;
}

export class CreateDownloadSessionCommand extends Command<string> {
  constructor(
    readonly context: RequestContext,
    readonly input: CreateDownloadSessionInput,
  ) {
    super();
  }
}

/**
 * Opens a download session on the item's committed content (§6.2): the version and files are read
 * from the item's own stream, so the session serves exactly those bytes whatever commits later.
 */
@CommandHandler(CreateDownloadSessionCommand)
export class CreateDownloadSessionHandler implements ICommandHandler<CreateDownloadSessionCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, input }: CreateDownloadSessionCommand): Promise<string> {
    const { result: sessionId } = await this.runner.transact(
      async (scope) => {
        const { item, sessionId, clientToken } = await openSessionOn(scope, context, {
          ...input,
          privilege: 'ContentLibrary.DownloadSession',
          session: downloadSessionDecider,
        });
        await scope.decide(downloadSessionDecider, sessionId, {
          type: 'CreateDownloadSession',
          sessionId,
          caller: context.caller,
          now: this.clock.now().toISOString(),
          timeoutSeconds: this.config.sessionTimeoutSeconds,
          item: {
            id: item.id,
            libraryId: item.libraryId,
            contentVersion: item.contentVersion,
            files: item.files,
          },
          ...(clientToken === undefined ? {} : { clientToken }),
        });
        return sessionId;
      },
      metadataFor(context, 'CreateDownloadSession'),
    );
    return sessionId;
  }
}
