import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import type { DomainEvent } from '@cls/domain';
import { addSeconds } from '@cls/domain';
import type { EventMetadata } from '@cls/event-store';
import { streamIdOf } from '@cls/event-store';
import { createEventTypeRegistry } from '@cls/sessions';
import {
  downloadFilePrepared,
  downloadSessionCanceled,
  downloadSessionCreated,
  fileAdded,
  fileReceived,
  libraryCreated,
  libraryItemContentCommitted,
  libraryItemCreated,
  sessionCompleted,
  sessionCreated,
  sessionKeptAlive,
  storedFile,
  TIMEOUT,
} from '@cls/testing';

/** Events are written at their current schema versions, as the service would write them. */
const EVENT_TYPES = createEventTypeRegistry();

interface SeedEvent {
  readonly streamId: string;
  readonly streamType: string;
  readonly version: number;
  readonly event: DomainEvent;
}

/** Events per item: its two, an update session's five and a download session's four. */
const EVENTS_PER_ITEM = 11;
const ITEMS_PER_LIBRARY = 1_000;
const ROWS_PER_INSERT = 10_000;

const METADATA: EventMetadata = {
  actor: 'bench',
  correlationId: 'bench',
  causationId: 'bench',
  commandType: 'Seed',
};

function withData<E extends DomainEvent>(event: E, data: Partial<E['data']>): E {
  return { ...event, data: { ...event.data, ...data } };
}

/**
 * The life of one item as the service writes it: created, an update session that uploads a file
 * and completes into the item's content, and a download session that prepares it and is canceled.
 */
function itemLife(libraryId: string, at: string): SeedEvent[] {
  const itemId = randomUUID();
  const sessionId = randomUUID();
  const downloadId = randomUUID();
  const transferId = randomUUID();
  const file = storedFile({ name: 'disk.iso', storageKey: `${itemId}/disk_${transferId}.iso` });
  const item = (version: number, event: DomainEvent): SeedEvent => ({
    streamId: streamIdOf('library_item', itemId),
    streamType: 'library_item',
    version,
    event,
  });
  const upload = (version: number, event: DomainEvent): SeedEvent => ({
    streamId: streamIdOf('update_session', sessionId),
    streamType: 'update_session',
    version,
    event,
  });
  const download = (version: number, event: DomainEvent): SeedEvent => ({
    streamId: streamIdOf('download_session', downloadId),
    streamType: 'download_session',
    version,
    event,
  });
  const expiresAt = addSeconds(at, TIMEOUT);
  const ids = { sessionId, libraryItemId: itemId, libraryId };
  return [
    item(1, libraryItemCreated({ itemId, libraryId, name: `item-${itemId}`, createdAt: at })),
    upload(1, sessionCreated({ ...ids, createdAt: at, expiresAt })),
    upload(2, fileAdded({ sessionId, name: file.name, transferId, expiresAt })),
    upload(3, sessionKeptAlive({ sessionId, clientProgress: 50, expiresAt })),
    upload(4, fileReceived({ sessionId, name: file.name, transferId, size: file.size, expiresAt })),
    upload(5, withData(sessionCompleted(at), { sessionId })),
    item(2, libraryItemContentCommitted({ itemId, sessionId, files: [file], committedAt: at })),
    download(1, downloadSessionCreated({ ...ids, sessionId: downloadId, files: [file] })),
    download(2, downloadFilePrepared({ sessionId: downloadId, name: file.name, expiresAt })),
    download(3, {
      type: 'DownloadSessionKeptAlive',
      data: { sessionId: downloadId, progress: 80, expiresAt },
    }),
    download(
      4,
      withData(downloadSessionCanceled(at), { sessionId: downloadId, libraryItemId: itemId }),
    ),
  ];
}

async function insert(dataSource: DataSource, rows: readonly SeedEvent[]): Promise<void> {
  await dataSource.query(
    `INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
     SELECT id, stream_id, stream_type, version, type, schema_version, data, $8::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[], $7::int[])
            AS seed (id, stream_id, stream_type, version, type, data, schema_version)`,
    [
      rows.map(() => randomUUID()),
      rows.map((row) => row.streamId),
      rows.map((row) => row.streamType),
      rows.map((row) => row.version),
      rows.map((row) => row.event.type),
      rows.map((row) => JSON.stringify(row.event.data)),
      rows.map((row) => EVENT_TYPES.schemaVersionOf(row.event.type)),
      JSON.stringify(METADATA),
    ],
  );
}

/**
 * Appends about `count` valid events straight into `events` (many statements of many rows: the
 * bench measures the rebuild, not the API), whole item lives in stream order, a library per
 * thousand items. The views stay empty: only a rebuild fills them.
 */
export async function seedEvents(dataSource: DataSource, count: number): Promise<number> {
  let pending: SeedEvent[] = [];
  let written = 0;
  let libraryId = '';
  const at = new Date().toISOString();
  for (let index = 0; written + pending.length < count; index += 1) {
    if (index % ITEMS_PER_LIBRARY === 0) {
      libraryId = randomUUID();
      pending.push({
        streamId: streamIdOf('library', libraryId),
        streamType: 'library',
        version: 1,
        event: libraryCreated({ libraryId, name: `library-${libraryId}`, createdAt: at }),
      });
    }
    pending.push(...itemLife(libraryId, at));
    if (pending.length >= ROWS_PER_INSERT - EVENTS_PER_ITEM) {
      await insert(dataSource, pending);
      written += pending.length;
      pending = [];
    }
  }
  if (pending.length > 0) await insert(dataSource, pending);
  return written + pending.length;
}
