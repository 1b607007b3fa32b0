import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import type { DownloadSessionCommand } from '@cls/domain';
import { downloadSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

/** The operations on an existing download session, as the transport receives them (§6.2). */
export type DownloadSessionOperation =
  | { readonly type: 'KeepDownloadSessionAlive'; readonly progress?: number }
  | { readonly type: 'CancelDownloadSession' }
  | { readonly type: 'FailDownloadSession'; readonly clientErrorMessage: string }
  | { readonly type: 'DeleteDownloadSession' };

export class OperateDownloadSessionCommand extends Command<void> {
  constructor(
    readonly context: RequestContext,
    readonly sessionId: string,
    readonly operation: DownloadSessionOperation,
  ) {
    super();
  }
}

/** keep_alive, cancel, fail and delete: one domain command each; the decider holds the state rules. */
@CommandHandler(OperateDownloadSessionCommand)
export class OperateDownloadSessionHandler implements ICommandHandler<OperateDownloadSessionCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, sessionId, operation }: OperateDownloadSessionCommand): Promise<void> {
    const command: DownloadSessionCommand = {
      ...operation,
      sessionId,
      caller: context.caller,
      now: this.clock.now().toISOString(),
      timeoutSeconds: this.config.sessionTimeoutSeconds,
    };
    await this.runner.execute(
      downloadSessionDecider,
      sessionId,
      command,
      metadataFor(context, operation.type),
    );
  }
}
