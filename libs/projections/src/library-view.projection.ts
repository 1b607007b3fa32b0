import type { LibraryEvent } from '@cls/domain';
import type { InlineProjection, RecordedEvent, SqlExecutor } from '@cls/event-store';

export const libraryViewProjection: InlineProjection = {
  name: 'library_view',
  eventTypes: ['LocalLibraryCreated', 'LocalLibraryDeleted'],
  async apply(sql: SqlExecutor, recorded: RecordedEvent): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as LibraryEvent;
    switch (event.type) {
      case 'LocalLibraryCreated':
        await sql.query(
          `INSERT INTO library_view (id, name, description, type, storage_backing, server_guid, extras, version,
                                     creation_time, last_modified_time, last_stream_version)
           VALUES ($1, $2, $3, 'LOCAL', $4, $5, $6, 1, $7, $7, $8)
           ON CONFLICT (id) DO NOTHING`,
          [
            event.data.libraryId,
            event.data.name,
            event.data.description,
            JSON.stringify(event.data.storageBacking),
            event.data.serverGuid ?? null,
            event.data.extras === undefined ? null : JSON.stringify(event.data.extras),
            event.data.createdAt,
            recorded.streamVersion,
          ],
        );
        return;
      case 'LocalLibraryDeleted':
        await sql.query('DELETE FROM library_view WHERE id = $1', [event.data.libraryId]);
        return;
    }
  },
};
