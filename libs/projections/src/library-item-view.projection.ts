import type { LibraryItemEvent } from '@cls/domain';
import { duplicateItemName } from '@cls/domain';
import type { InlineProjection, RecordedEvent, SqlExecutor } from '@cls/event-store';

export const libraryItemViewProjection: InlineProjection = {
  name: 'library_item_view',
  eventTypes: ['LibraryItemCreated', 'LibraryItemDeleted', 'LibraryItemContentCommitted'],
  async apply(sql: SqlExecutor, recorded: RecordedEvent): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as LibraryItemEvent;
    switch (event.type) {
      case 'LibraryItemCreated': {
        const { itemId, libraryId, name } = event.data;
        const inserted = await sql.query(
          `INSERT INTO library_item_view (id, library_id, name, description, type, content_version, metadata_version,
                                          version, cached, size, creation_time, last_modified_time, last_stream_version)
           VALUES ($1, $2, $3, $4, $5, 1, 1, 1, false, 0, $6, $6, $7)
           ON CONFLICT DO NOTHING
           RETURNING id`,
          [
            itemId,
            libraryId,
            name,
            event.data.description,
            event.data.itemType ?? null,
            event.data.createdAt,
            recorded.streamVersion,
          ],
        );
        if (inserted.length > 0) return;
        const [replayed] = await sql.query('SELECT 1 FROM library_item_view WHERE id = $1', [
          itemId,
        ]);
        if (replayed) return;
        // The name index vetoed it: a concurrent create took the name first.
        const [library] = await sql.query<{ name: string }>(
          'SELECT name FROM library_view WHERE id = $1',
          [libraryId],
        );
        throw duplicateItemName(name, library?.name ?? '', libraryId);
      }
      case 'LibraryItemDeleted':
        await sql.query('DELETE FROM library_item_view WHERE id = $1', [event.data.itemId]);
        await sql.query('DELETE FROM library_item_file_view WHERE item_id = $1', [
          event.data.itemId,
        ]);
        return;
      case 'LibraryItemContentCommitted': {
        const { itemId, files, contentVersion, committedAt } = event.data;
        const size = files.reduce((total, file) => total + file.size, 0);
        // One statement: the item's row, then its file list replaced by the committed one (files
        // no longer listed deleted, the others upserted, so the two never meet on the key). A
        // replay of an older commit updates no item row and so touches no file either.
        await sql.query(
          `WITH item AS (
             UPDATE library_item_view
                SET content_version = $2, size = $3, cached = true, last_modified_time = $4, last_stream_version = $5
              WHERE id = $1 AND last_stream_version < $5
             RETURNING id
           ),
           committed AS (
             SELECT * FROM jsonb_to_recordset($6::jsonb)
                        AS f(name text, size bigint, digests jsonb, version int, storage_key text)
           ),
           gone AS (
             DELETE FROM library_item_file_view stored USING item
              WHERE stored.item_id = item.id
                AND NOT EXISTS (SELECT 1 FROM committed WHERE committed.name = stored.name)
           )
           INSERT INTO library_item_file_view (item_id, name, size, digests, version, storage_key)
           SELECT item.id, committed.name, committed.size, committed.digests, committed.version, committed.storage_key
             FROM item, committed
           ON CONFLICT (item_id, name) DO UPDATE
             SET size = excluded.size, digests = excluded.digests, version = excluded.version,
                 storage_key = excluded.storage_key`,
          [
            itemId,
            contentVersion,
            size,
            committedAt,
            recorded.streamVersion,
            // One JSON text: the rebuild replays statements with literal parameters, not arrays.
            JSON.stringify(
              files.map((file) => ({
                name: file.name,
                size: file.size,
                digests: file.digests,
                version: file.version,
                storage_key: file.storageKey,
              })),
            ),
          ],
        );
        return;
      }
    }
  },
};
