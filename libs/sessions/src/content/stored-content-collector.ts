import { Injectable, Logger } from '@nestjs/common';

import { libraryDecider, libraryItemDecider } from '@cls/domain';
import type { SqlExecutor } from '@cls/event-store';
import { DeciderCommandRunner, PostgresEventStore, streamIdOf } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { LibraryFolders } from './library-folders';

interface Reference {
  readonly storage_key: string | null;
  readonly name: string | null;
  readonly transfer_id: string | null;
}

/**
 * Deletes the stored files of an item that nothing references any more (ADR 0004): a version is
 * kept while it is the item's current content, while an ACTIVE download session serves it, and
 * while an ACTIVE update session's completion may have moved it into place without committing yet.
 *
 * Download-session creation relies on the item's stream (`DecisionScope.rely`), so it commits
 * either before the collector holds the stream's exclusive lock (and its pins are seen) or after
 * it (and re-reads the item if a commit moved it meanwhile): a pinned version is never collected.
 */
@Injectable()
export class StoredContentCollector {
  private readonly logger = new Logger('storage-gc');

  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly store: PostgresEventStore,
    private readonly storage: ContentStorage,
    private readonly folders: LibraryFolders,
  ) {}

  /** Returns the storage keys it deleted. Safe to repeat and to run concurrently. */
  async collect(itemId: string): Promise<readonly string[]> {
    const { state: item } = await this.runner.load(libraryItemDecider, itemId);
    if (item.status === 'EMPTY') return [];
    const folder = await this.folders.folderOf(item.libraryId);
    if (folder === undefined) return [];
    const removed = await this.store.exclusively(
      streamIdOf(libraryItemDecider.streamType, itemId),
      async (sql) => {
        // Listed before the references are read: a file moved into place later is no candidate.
        const present = await this.storage.storedKeys(folder, itemId);
        if (present.length === 0) return [];
        const kept = await this.referencedKeys(sql, itemId);
        const garbage = present.filter(({ of }) => !kept.has(of)).map(({ key }) => key);
        for (const key of garbage) await this.storage.removeStored(folder, key);
        return garbage;
      },
    );
    if (item.status === 'DELETED') {
      await this.storage.removeItemFolder(folder, itemId);
      // A library's items are deleted with it, so only a deleted item's library can be gone.
      const { state: library } = await this.runner.load(libraryDecider, item.libraryId);
      if (library.status === 'DELETED') await this.storage.removeLibraryFolder(folder);
    }
    if (removed.length > 0) {
      this.logger.log(`item ${itemId}: removed ${removed.length} unreferenced stored file(s)`);
    }
    return removed;
  }

  /** Every key still needed, read in one statement so all three sources share one snapshot. */
  private async referencedKeys(sql: SqlExecutor, itemId: string): Promise<ReadonlySet<string>> {
    const rows = await sql.query<Reference>(
      `SELECT storage_key, NULL AS name, NULL AS transfer_id
         FROM library_item_file_view WHERE item_id = $1::uuid
       UNION ALL
       SELECT f.storage_key, NULL, NULL
         FROM download_session_file_view f JOIN download_session_view s ON s.id = f.session_id
        WHERE s.library_item_id = $1::uuid AND s.state = 'ACTIVE'
       UNION ALL
       SELECT NULL, f.name, f.transfer_id::text
         FROM update_session_file_view f JOIN update_session_view s ON s.id = f.session_id
        WHERE s.library_item_id = $1::uuid AND s.state = 'ACTIVE' AND f.transfer_id IS NOT NULL`,
      [itemId],
    );
    return new Set(
      rows.map((row) =>
        row.storage_key !== null
          ? row.storage_key
          : this.storage.storageKey(itemId, row.name ?? '', row.transfer_id ?? ''),
      ),
    );
  }
}
