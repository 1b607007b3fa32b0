import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG, failpoint } from '@cls/config';
import type {
  CompleteUpdateSession,
  IncomingFile,
  SessionFile,
  UpdateSessionState,
} from '@cls/domain';
import {
  invalidSessionState,
  isOvfMetadataFile,
  OVF_ITEM_TYPE,
  libraryItemDecider,
  notFound,
  transfersOf,
  updateSessionDecider,
} from '@cls/domain';
import type { EventMetadata } from '@cls/event-store';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { LibraryFolders } from '../content/library-folders';
import { OvfAdapter } from '../content/ovf-adapter';
import { PullSourceSecrets } from '../content/pull-source-secrets';

/** An OVF package's manifest and certificate are consumed by validation, not stored (§8.6). */
function consumedByValidation(session: { readonly itemType?: string }, file: SessionFile): boolean {
  return session.itemType === OVF_ITEM_TYPE && isOvfMetadataFile(file.name);
}

/** What a session that ended leaves in staging: a DONE one only what its commit did not store. */
function leftInStaging(session: UpdateSessionState): readonly string[] {
  if (session.status !== 'DONE') return transfersOf(session);
  return Object.values(session.files).flatMap((file) =>
    file.transferId !== undefined && consumedByValidation(session, file) ? [file.transferId] : [],
  );
}

/**
 * `complete` (contract §8.4): the session goes DONE and the item gets its new file list in one
 * transaction. Staged bytes move to never-reused stored paths first, so a crash before the commit
 * leaves the old content (the moved files are unreferenced), and a retried complete finds them
 * already moved. Nobody sees the new content before the transaction commits.
 */
@Injectable()
export class UpdateSessionCompletion {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly storage: ContentStorage,
    private readonly folders: LibraryFolders,
    private readonly secrets: PullSourceSecrets,
    private readonly ovf: OvfAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Completes now, or records that the worker must once the pulls in flight land (the session stays
   * ACTIVE); un-ignored warnings fail the session and the caller hears why.
   */
  async complete(command: CompleteUpdateSession, metadata: EventMetadata): Promise<void> {
    const { result: outcome } = await this.runner.transact(async (scope) => {
      // The adapter judges the files as they are now; a concurrent change re-runs this plan.
      const { state: current } = await scope.load(updateSessionDecider, command.sessionId);
      const findings = current.status === 'ACTIVE' ? await this.ovf.findings(current) : undefined;
      const decided = await scope.decide(updateSessionDecider, command.sessionId, {
        ...command,
        ...(findings === undefined ? {} : { adapterFindings: findings }),
      });
      const session = decided.before;
      const completed = decided.events.some((event) => event.type === 'UpdateSessionCompleted');
      if (!completed || session.status !== 'ACTIVE') return decided.state;
      // Decided on below, so the commit proves the item's state current.
      const { state: item } = await scope.load(libraryItemDecider, session.libraryItemId);
      if (item.status !== 'LIVE') throw notFound('library_item', session.libraryItemId);
      const folder = await this.folders.folderOf(item.libraryId);
      if (folder === undefined) throw notFound('library', item.libraryId);
      const incoming: IncomingFile[] = [];
      const kept: string[] = [];
      for (const file of Object.values(session.files)) {
        if (file.sourceType === 'NONE' || file.transferId === undefined) {
          kept.push(file.name);
          continue;
        }
        if (consumedByValidation(session, file)) continue;
        const storageKey = this.storage.storageKey(item.itemId, file.name, file.transferId);
        await this.storage.promote(
          this.storage.stagingPath(session.sessionId, file.transferId),
          this.storage.storedPath(folder, storageKey),
        );
        incoming.push({
          name: file.name,
          size: file.size ?? 0,
          digests: file.digests ?? {},
          storageKey,
        });
      }
      failpoint(this.config, 'complete:files-moved');
      await scope.decide(libraryItemDecider, item.itemId, {
        type: 'CommitLibraryItemContent',
        itemId: item.itemId,
        sessionId: session.sessionId,
        incoming,
        kept,
        now: command.now,
      });
      return decided.state;
    }, metadata);
    if (outcome.status === 'ACTIVE') return;
    // What the session kept aside goes now; the fleet sweep clears it after a crash in between.
    await Promise.all([
      this.storage.discardSession(command.sessionId, leftInStaging(outcome)),
      this.secrets.forgetSession(command.sessionId, outcome),
    ]);
    if (outcome.status === 'ERROR') {
      throw invalidSessionState('complete', outcome.status, outcome.errorMessage?.defaultMessage);
    }
  }
}
