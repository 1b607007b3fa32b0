import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import { requirePrivilege } from '@cls/access';
import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import type { DownloadEndpointType } from '@cls/domain';
import { downloadSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { DownloadSessionQueries } from '../queries/download-session.queries';

export class PrepareDownloadSessionFileCommand extends Command<void> {
  constructor(
    readonly context: RequestContext,
    readonly sessionId: string,
    readonly name: string,
    readonly endpointType: DownloadEndpointType,
  ) {
    super();
  }
}

/**
 * `prepare` (§6.3): the bytes are on local storage, so a file is PREPARED inside the call. A
 * DIRECT endpoint exposes the storage URI and needs `ContentLibrary.ReadStorage` on the item.
 */
@CommandHandler(PrepareDownloadSessionFileCommand)
export class PrepareDownloadSessionFileHandler implements ICommandHandler<PrepareDownloadSessionFileCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly sessions: DownloadSessionQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(command: PrepareDownloadSessionFileCommand): Promise<void> {
    const { context, sessionId, name, endpointType } = command;
    const session = await this.sessions.get(context.caller, sessionId);
    if (endpointType === 'DIRECT') {
      requirePrivilege(context.caller, 'ContentLibrary.ReadStorage', {
        kind: 'library_item',
        id: session.libraryItemId,
        libraryId: session.libraryId,
      });
    }
    await this.runner.execute(
      downloadSessionDecider,
      sessionId,
      {
        type: 'PrepareDownloadSessionFile',
        sessionId,
        caller: context.caller,
        now: this.clock.now().toISOString(),
        timeoutSeconds: this.config.sessionTimeoutSeconds,
        name,
        endpointType,
      },
      metadataFor(context, 'PrepareDownloadSessionFile'),
    );
  }
}
