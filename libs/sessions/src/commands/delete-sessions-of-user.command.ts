import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandBus, CommandHandler } from '@nestjs/cqrs';

import type { RequestContext } from '@cls/context';
import { NotAllowedInCurrentState, NotFound } from '@cls/domain';

import { DownloadSessionQueries } from '../queries/download-session.queries';
import { UpdateSessionQueries } from '../queries/update-session.queries';
import { OperateDownloadSessionCommand } from './operate-download-session.command';
import { OperateUpdateSessionCommand } from './operate-update-session.command';

/**
 * Deletes every update and download session `user` owns, an ACTIVE update session canceled
 * first: sessions belong to a user name, and one who re-uses the name must not inherit them.
 * Each step is the session's own command, so the history says who ended it and when.
 */
export class DeleteSessionsOfUserCommand extends Command<void> {
  constructor(
    readonly context: RequestContext,
    readonly user: string,
  ) {
    super();
  }
}

/** A session that ended or went away meanwhile needs nothing more. */
function alreadyGone(error: unknown): void {
  if (!(error instanceof NotFound || error instanceof NotAllowedInCurrentState)) throw error;
}

@CommandHandler(DeleteSessionsOfUserCommand)
export class DeleteSessionsOfUserHandler implements ICommandHandler<DeleteSessionsOfUserCommand> {
  constructor(
    private readonly commands: CommandBus,
    private readonly updates: UpdateSessionQueries,
    private readonly downloads: DownloadSessionQueries,
  ) {}

  async execute({ context, user }: DeleteSessionsOfUserCommand): Promise<void> {
    for (const { id, state } of await this.updates.ownedBy(user)) {
      const operate = (type: 'CancelUpdateSession' | 'DeleteUpdateSession') =>
        this.commands.execute(new OperateUpdateSessionCommand(context, id, { type }));
      if (state === 'ACTIVE') await operate('CancelUpdateSession').catch(alreadyGone);
      await operate('DeleteUpdateSession').catch(alreadyGone);
    }
    for (const { id } of await this.downloads.ownedBy(user)) {
      await this.commands
        .execute(new OperateDownloadSessionCommand(context, id, { type: 'DeleteDownloadSession' }))
        .catch(alreadyGone);
    }
  }
}
