import type { LibraryEvent } from '@cls/domain';
import type { InlineProjection, RecordedEvent, RowChange } from '@cls/event-store';

import { LIBRARIES } from './projected-tables';

export const libraryViewProjection: InlineProjection = {
  name: 'library_view',
  eventTypes: ['LocalLibraryCreated', 'LocalLibraryDeleted'],
  changesOf(recorded: RecordedEvent): RowChange[] {
    const event = { type: recorded.type, data: recorded.data } as LibraryEvent;
    switch (event.type) {
      case 'LocalLibraryCreated': {
        const d = event.data;
        return [
          {
            kind: 'insert',
            table: LIBRARIES,
            existing: 'keep',
            rows: [
              {
                id: d.libraryId,
                name: d.name,
                description: d.description,
                type: 'LOCAL',
                storage_backing: d.storageBacking,
                server_guid: d.serverGuid ?? null,
                extras: d.extras ?? null,
                version: 1,
                creation_time: d.createdAt,
                last_modified_time: d.createdAt,
                last_stream_version: recorded.streamVersion,
              },
            ],
          },
        ];
      }
      case 'LocalLibraryDeleted':
        return [
          { kind: 'delete', where: { table: LIBRARIES, match: { id: event.data.libraryId } } },
        ];
    }
  },
};
