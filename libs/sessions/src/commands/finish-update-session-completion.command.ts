import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { JobContext } from '@cls/context';
import { Clock, jobMetadata } from '@cls/context';
import { NotAllowedInCurrentState, SYSTEM_CALLER, updateSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { UpdateSessionCompletion } from './update-session-completion';

export class FinishUpdateSessionCompletionCommand extends Command<void> {
  constructor(
    readonly context: JobContext,
    readonly sessionId: string,
  ) {
    super();
  }
}

/**
 * A client called `complete` while pulls were in flight (§4.2): whenever a file lands or the
 * request is recorded, the worker tries again. It completes once nothing is in flight, fails the
 * session on un-ignored warnings, and does nothing for sessions that never asked.
 */
@CommandHandler(FinishUpdateSessionCompletionCommand)
export class FinishUpdateSessionCompletionHandler implements ICommandHandler<FinishUpdateSessionCompletionCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly completion: UpdateSessionCompletion,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, sessionId }: FinishUpdateSessionCompletionCommand): Promise<void> {
    const { state } = await this.runner.load(updateSessionDecider, sessionId);
    if (state.status !== 'ACTIVE' || !state.completionRequested) return;
    try {
      await this.completion.complete(
        {
          type: 'CompleteUpdateSession',
          sessionId,
          caller: SYSTEM_CALLER,
          now: this.clock.now().toISOString(),
          timeoutSeconds: this.config.sessionTimeoutSeconds,
          completionTimeoutSeconds: this.config.completionTimeoutSeconds,
        },
        jobMetadata(context, 'CompleteUpdateSession'),
      );
    } catch (error) {
      // The session ended meanwhile, or its warnings failed it: either way the client sees the state.
      if (!(error instanceof NotAllowedInCurrentState)) throw error;
    }
  }
}
