import { Inject } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import type { ICommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { UpdateSessionCommand, WarningBehavior } from '@cls/domain';
import { updateSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { Clock } from '../shared/clock';
import type { RequestContext } from '../shared/request-context';
import { metadataFor } from '../shared/request-context';

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
        : { ...envelope, ...operation };
    await this.runner.execute(
      updateSessionDecider,
      sessionId,
      command,
      metadataFor(context, operation.type),
    );
  }
}
