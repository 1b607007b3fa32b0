import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import type { UpdateSessionCommand, WarningBehavior } from '@cls/domain';
import { transfersOf, updateSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { UpdateSessionCompletion } from './update-session-completion';

/** The operations on an existing update session, as the transport receives them. */
export type UpdateSessionOperation =
  | { readonly type: 'KeepUpdateSessionAlive'; readonly clientProgress?: number }
  | { readonly type: 'UpdateUpdateSession'; readonly warningBehavior?: readonly WarningBehavior[] }
  | { readonly type: 'CompleteUpdateSession' }
  | { readonly type: 'CancelUpdateSession' }
  | { readonly type: 'FailUpdateSession'; readonly clientErrorMessage: string }
  | { readonly type: 'DeleteUpdateSession' };

export class OperateUpdateSessionCommand extends Command<void> {
  constructor(
    readonly context: RequestContext,
    readonly sessionId: string,
    readonly operation: UpdateSessionOperation,
  ) {
    super();
  }
}

/**
 * keep_alive, update, complete, cancel, fail and delete: each is one domain command on one stream;
 * every rule about which state allows what lives in the decider (contract §8.1).
 */
@CommandHandler(OperateUpdateSessionCommand)
export class OperateUpdateSessionHandler implements ICommandHandler<OperateUpdateSessionCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly completion: UpdateSessionCompletion,
    private readonly storage: ContentStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, sessionId, operation }: OperateUpdateSessionCommand): Promise<void> {
    const envelope = {
      sessionId,
      caller: context.caller,
      now: this.clock.now().toISOString(),
      timeoutSeconds: this.config.sessionTimeoutSeconds,
    };
    const command: UpdateSessionCommand =
      operation.type === 'CancelUpdateSession'
        ? { ...envelope, ...operation, reason: 'CLIENT' }
        : operation.type === 'CompleteUpdateSession'
          ? {
              ...envelope,
              ...operation,
              completionTimeoutSeconds: this.config.completionTimeoutSeconds,
            }
          : { ...envelope, ...operation };
    const metadata = metadataFor(context, operation.type);
    if (command.type === 'CompleteUpdateSession') {
      await this.completion.complete(command, metadata);
      return;
    }
    const decided = await this.runner.execute(updateSessionDecider, sessionId, command, metadata);
    // Cancel and fail apply nothing: what was staged for the session is deleted (§8.4).
    if (decided.state.status === 'CANCELED' || decided.state.status === 'ERROR') {
      await this.storage.discardSession(sessionId, transfersOf(decided.state));
    }
  }
}
