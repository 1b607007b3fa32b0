import type { ClientBase } from 'pg';
import { types } from 'pg';

import type { EventMetadata, FeedPosition, RecordedEvent } from './event-store.types';
import type { EventTypeRegistry } from './event-type-registry';

/** An events row as `EVENT_COLUMNS` selects it; `PostgresEventStore.decode` reads it. */
export interface EventRow {
  event_id: string;
  stream_id: string;
  stream_type: string;
  stream_version: number;
  global_position: string;
  transaction_id: string;
  event_type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
}

/**
 * The columns every reader of the events table selects, for `PostgresEventStore.decode`. The list
 * renames `transaction_id` to its text: an ORDER BY of the bare name would sort by that text
 * ('100000' before '99999') and without the feed index, so feed queries order by the qualified
 * column.
 */
export const EVENT_COLUMNS =
  'event_id, stream_id, stream_type, stream_version, global_position, transaction_id::text AS transaction_id, event_type, schema_version, data, metadata, recorded_at';

/**
 * The feed after `after` in feed order, `$1`–`$3` being the position and a limit. Committed only:
 * an event is listed once every older transaction has ended, unless the caller holds appends off
 * (`LOCK TABLE events IN EXCLUSIVE MODE`), when every visible event is committed already.
 */
export function feedQuery(committedSnapshotOnly: boolean): string {
  return `SELECT ${EVENT_COLUMNS} FROM events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         ${committedSnapshotOnly ? 'AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())' : ''}
       ORDER BY events.transaction_id, events.global_position
       LIMIT $3`;
}

export const feedParameters = (after: FeedPosition, limit: number): string[] => [
  after.transactionId.toString(),
  after.globalPosition.toString(),
  String(limit),
];

/** An events row's columns as text, as Postgres sent them (none is ever NULL). */
export type EventRowText = readonly string[];

/**
 * A page of the committed feed left as text, for a reader that only routes rows: parsing them
 * (JSON, dates, numbers) is most of a replay's cost, and `EventRowParser` does it where the rows
 * are folded, on another thread if need be.
 */
export interface FeedTextPage {
  readonly fields: readonly { readonly name: string; readonly dataTypeID: number }[];
  readonly rows: readonly EventRowText[];
}

const asText = { getTypeParser: () => (value: string) => value };

/** The committed feed after `after`, as `readFeed` reads it, each column left as text. */
export async function readFeedText(
  client: ClientBase,
  after: FeedPosition,
  limit: number,
): Promise<FeedTextPage> {
  const result = await client.query<string[]>({
    text: feedQuery(true),
    values: feedParameters(after, limit),
    rowMode: 'array',
    types: asText,
  });
  return {
    fields: result.fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })),
    rows: result.rows,
  };
}

/** Where a text row sits in the feed, read without parsing the rest of it. */
export class FeedTextColumns {
  private readonly streamId: number;
  private readonly globalPosition: number;
  private readonly transactionId: number;

  constructor(fields: FeedTextPage['fields']) {
    const at = (name: keyof EventRow): number => {
      const index = fields.findIndex((field) => field.name === name);
      if (index < 0) throw new Error(`a feed page without column ${name}`);
      return index;
    };
    this.streamId = at('stream_id');
    this.globalPosition = at('global_position');
    this.transactionId = at('transaction_id');
  }

  streamIdOf(row: EventRowText): string {
    return row[this.streamId]!;
  }

  positionOf(row: EventRowText): FeedPosition {
    return {
      transactionId: BigInt(row[this.transactionId]!),
      globalPosition: BigInt(row[this.globalPosition]!),
    };
  }
}

/** Text rows as `EventRow`s, each column parsed as pg parses it for any other query. */
export class EventRowParser {
  private readonly parsers: readonly ((value: string) => unknown)[];

  constructor(private readonly fields: FeedTextPage['fields']) {
    this.parsers = fields.map(
      ({ dataTypeID }) => types.getTypeParser(dataTypeID, 'text') as (value: string) => unknown,
    );
  }

  parse(values: EventRowText): EventRow {
    const row: Record<string, unknown> = {};
    for (let at = 0; at < this.fields.length; at += 1)
      row[this.fields[at]!.name] = this.parsers[at]!(values[at]!);
    return row as unknown as EventRow;
  }
}

/** A stored row as a recorded event, its data upcast to the current schema version. */
export function decodeEventRow(registry: EventTypeRegistry, row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    streamId: row.stream_id,
    streamType: row.stream_type,
    streamVersion: row.stream_version,
    globalPosition: BigInt(row.global_position),
    transactionId: BigInt(row.transaction_id),
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: registry.upcast(row.event_type, row.schema_version, row.data),
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}
