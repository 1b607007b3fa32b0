import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import { transfersOf, updateSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { PullSourceSecrets } from '../content/pull-source-secrets';
import { StoredContentCollector } from '../content/stored-content-collector';

export class DiscardSessionStagingCommand extends Command<void> {
  constructor(readonly sessionId: string) {
    super();
  }
}

/**
 * The safety net behind cancel, fail, expiry and complete: whatever a finished session left in
 * staging goes, with the full URLs of its pull sources, even if the process that finished it died
 * before deleting (§8.4), and so do files a completion moved into storage but never committed. An
 * ACTIVE session's bytes are never touched.
 */
@CommandHandler(DiscardSessionStagingCommand)
export class DiscardSessionStagingHandler implements ICommandHandler<DiscardSessionStagingCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly storage: ContentStorage,
    private readonly collector: StoredContentCollector,
    private readonly secrets: PullSourceSecrets,
  ) {}

  async execute({ sessionId }: DiscardSessionStagingCommand): Promise<void> {
    const { state: session } = await this.runner.load(updateSessionDecider, sessionId);
    if (session.status === 'ACTIVE') return;
    await Promise.all([
      this.storage.discardSession(sessionId, transfersOf(session)),
      this.secrets.forgetSession(sessionId, session),
    ]);
    // A completed session's commit has its own collection (the item's commit event).
    if (session.status === 'ERROR' || session.status === 'CANCELED') {
      await this.collector.collect(session.libraryItemId);
    }
  }
}
