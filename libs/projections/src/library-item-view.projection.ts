import type { LibraryItemEvent } from '@cls/domain';
import { duplicateItemName } from '@cls/domain';
import type { InlineProjection, RecordedEvent, RowChange, SqlExecutor } from '@cls/event-store';

import { LIBRARY_ITEM_FILES, LIBRARY_ITEMS } from './projected-tables';

/** The name index vetoed a create: a concurrent create took the name first. */
async function nameTaken(sql: SqlExecutor, name: string, libraryId: string): Promise<Error> {
  const [library] = await sql.query<{ name: string }>(
    'SELECT name FROM library_view WHERE id = $1',
    [libraryId],
  );
  return duplicateItemName(name, library?.name ?? '', libraryId);
}

/** `ItemModel` and the committed file list of every item (contract §3.4, §5.1). */
export const libraryItemViewProjection: InlineProjection = {
  name: 'library_item_view',
  eventTypes: [
    'LibraryItemCreated',
    'LibraryItemDeleted',
    'LibraryItemContentCommitted',
    'LibraryItemContentCopied',
  ],
  changesOf(recorded: RecordedEvent): RowChange[] {
    const event = { type: recorded.type, data: recorded.data } as LibraryItemEvent;
    const version = recorded.streamVersion;
    switch (event.type) {
      case 'LibraryItemCreated': {
        const { itemId, libraryId, name } = event.data;
        return [
          {
            kind: 'insert',
            table: LIBRARY_ITEMS,
            existing: 'keep',
            rows: [
              {
                id: itemId,
                library_id: libraryId,
                name,
                description: event.data.description,
                type: event.data.itemType ?? null,
                content_version: 1,
                metadata_version: 1,
                version: 1,
                cached: false,
                size: 0,
                creation_time: event.data.createdAt,
                last_modified_time: event.data.createdAt,
                last_stream_version: version,
              },
            ],
            refused: (sql) => nameTaken(sql, name, libraryId),
          },
        ];
      }
      case 'LibraryItemDeleted':
        return [
          { kind: 'delete', where: { table: LIBRARY_ITEMS, match: { id: event.data.itemId } } },
          {
            kind: 'delete',
            where: { table: LIBRARY_ITEM_FILES, match: { item_id: event.data.itemId } },
          },
        ];
      case 'LibraryItemContentCommitted':
      case 'LibraryItemContentCopied': {
        const { itemId, files, contentVersion, committedAt } = event.data;
        // A replay of an older commit updates no item row and so touches no file either.
        const olderItem = { table: LIBRARY_ITEMS, match: { id: itemId }, olderThan: version };
        return [
          {
            kind: 'update',
            where: olderItem,
            set: {
              content_version: contentVersion,
              size: files.reduce((total, file) => total + file.size, 0),
              cached: true,
              last_modified_time: committedAt,
              last_stream_version: version,
            },
          },
          {
            kind: 'replace-group',
            table: LIBRARY_ITEM_FILES,
            group: itemId,
            rows: files.map((file) => ({
              item_id: itemId,
              name: file.name,
              size: file.size,
              digests: file.digests,
              version: file.version,
              storage_key: file.storageKey,
            })),
            onlyIf: { exists: olderItem },
          },
        ];
      }
    }
  },
};
