import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { JobContext } from '@cls/context';
import { Clock, jobMetadata } from '@cls/context';
import { nextExpiryCheck, SYSTEM_CALLER, transfersOf, updateSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { UpdateSessionQueries } from '../queries/update-session.queries';

/** Answers when to ask again (the session's deadline, now moved), or undefined once purged. */
export class ExpireUpdateSessionCommand extends Command<Date | undefined> {
  constructor(
    readonly context: JobContext,
    readonly sessionId: string,
  ) {
    super();
  }
}

/**
 * Asks the decider whether the session's time is up (contract §8.5): an idle ACTIVE session is
 * expired and its staged bytes deleted, one whose accepted completion is overdue fails, a
 * finished one past its retention is purged. Upload activity moves the view's deadline without
 * events, so that deadline comes along as a fact.
 */
@CommandHandler(ExpireUpdateSessionCommand)
export class ExpireUpdateSessionHandler implements ICommandHandler<ExpireUpdateSessionCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly storage: ContentStorage,
    private readonly sessions: UpdateSessionQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, sessionId }: ExpireUpdateSessionCommand): Promise<Date | undefined> {
    const viewDeadline = (await this.sessions.deadlineOf(sessionId))?.toISOString();
    const decided = await this.runner.execute(
      updateSessionDecider,
      sessionId,
      {
        type: 'ExpireUpdateSession',
        sessionId,
        caller: SYSTEM_CALLER,
        now: this.clock.now().toISOString(),
        timeoutSeconds: this.config.sessionTimeoutSeconds,
        ...(viewDeadline === undefined ? {} : { activityExpiresAt: viewDeadline }),
      },
      jobMetadata(context, 'ExpireUpdateSession'),
    );
    // Expired by the client's idleness, or failed by a completion the service could not finish.
    const ended = decided.events.some(
      (event) => event.type === 'UpdateSessionExpired' || event.type === 'UpdateSessionFailed',
    );
    if (ended) {
      await this.storage.discardSession(sessionId, transfersOf(decided.state));
    }
    const next = nextExpiryCheck(decided.state, viewDeadline);
    return next === undefined ? undefined : new Date(next);
  }
}
