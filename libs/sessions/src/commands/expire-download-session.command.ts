import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { JobContext } from '@cls/context';
import { Clock, jobMetadata } from '@cls/context';
import { downloadSessionDecider, SYSTEM_CALLER, nextExpiryCheck } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { DownloadSessionQueries } from '../queries/download-session.queries';

/** Answers when to ask again (the session's deadline, now moved), or undefined once purged. */
export class ExpireDownloadSessionCommand extends Command<Date | undefined> {
  constructor(
    readonly context: JobContext,
    readonly sessionId: string,
  ) {
    super();
  }
}

/**
 * Asks the decider whether a download session's time is up (§8.5): an idle ACTIVE one is removed,
 * a canceled or failed one purged after its retention. Download activity moves the view's
 * deadline without events, so that deadline comes along as a fact.
 */
@CommandHandler(ExpireDownloadSessionCommand)
export class ExpireDownloadSessionHandler implements ICommandHandler<ExpireDownloadSessionCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly sessions: DownloadSessionQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, sessionId }: ExpireDownloadSessionCommand): Promise<Date | undefined> {
    const viewDeadline = (await this.sessions.deadlineOf(sessionId))?.toISOString();
    const decided = await this.runner.execute(
      downloadSessionDecider,
      sessionId,
      {
        type: 'ExpireDownloadSession',
        sessionId,
        caller: SYSTEM_CALLER,
        now: this.clock.now().toISOString(),
        timeoutSeconds: this.config.sessionTimeoutSeconds,
        ...(viewDeadline === undefined ? {} : { activityExpiresAt: viewDeadline }),
      },
      jobMetadata(context, 'ExpireDownloadSession'),
    );
    const next = nextExpiryCheck(decided.state, viewDeadline);
    return next === undefined ? undefined : new Date(next);
  }
}
