import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG, failpoint } from '@cls/config';

import type { CompleteUpdateSession, IncomingFile } from '@cls/domain';
import { libraryItemDecider, notFound, updateSessionDecider } from '@cls/domain';
import type { EventMetadata } from '@cls/event-store';
import { DeciderCommandRunner } from '@cls/event-store';

import { ContentStorage } from '../content/content-storage';
import { LibraryItemQueries } from '../queries/library-item.queries';
import { LibraryQueries } from '../queries/library.queries';

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
    private readonly items: LibraryItemQueries,
    private readonly libraries: LibraryQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async complete(command: CompleteUpdateSession, metadata: EventMetadata): Promise<void> {
    await this.runner.transact(async (scope) => {
      const decided = await scope.decide(updateSessionDecider, command.sessionId, command);
      const session = decided.before;
      if (decided.events.length === 0 || session.status !== 'ACTIVE') return;
      const item = await this.items.require(session.libraryItemId);
      const library = await this.libraries.find(item.libraryId);
      if (!library) throw notFound('library', item.libraryId);
      const folder = this.storage.libraryFolder(library.id, library.storageBacking);
      const incoming: IncomingFile[] = [];
      const kept: string[] = [];
      for (const file of Object.values(session.files)) {
        if (file.sourceType === 'NONE' || file.transferId === undefined) {
          kept.push(file.name);
          continue;
        }
        const storageKey = this.storage.storageKey(item.id, file.name, file.transferId);
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
      await scope.decide(libraryItemDecider, item.id, {
        type: 'CommitLibraryItemContent',
        itemId: item.id,
        sessionId: session.sessionId,
        incoming,
        kept,
        now: command.now,
      });
    }, metadata);
    await this.storage.discardSession(command.sessionId);
  }
}
