import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AuthenticatedCaller, ProtectedObject } from '@cls/access';
import { requirePrivilege } from '@cls/access';
import { DATA_SOURCE } from '@cls/database';
import { notFound } from '@cls/domain';
import type { EventRow, FeedPosition, RecordedEvent } from '@cls/event-store';
import { EVENT_COLUMNS, PostgresEventStore, streamIdOf } from '@cls/event-store';

import { isUuid } from '../shared/client-token';

export type SessionStreamType = 'update_session' | 'download_session';

/** Which events an audit query wants; every field narrows, none widens. */
export interface AuditFilter {
  readonly libraryItemId?: string;
  readonly libraryId?: string;
  /** The actor recorded in the metadata: a user name, or `system:<role>` for the workers. */
  readonly user?: string;
  readonly eventType?: string;
  /** Recorded at or after. */
  readonly from?: Date;
  /** Recorded before. */
  readonly to?: Date;
}

export interface AuditPage {
  readonly events: readonly RecordedEvent[];
  /** Where the next page starts; fewer events than asked for means the reader has caught up. */
  readonly next: FeedPosition;
}

/**
 * The event history as the audit trail. Sessions are found through
 * `stream_scope_view`, which is never purged, so a session's history outlives its view. Pages are
 * keyset-paginated on the commit order and read only below the oldest running transaction (as the
 * outbox relay reads), so a reader paging while writers append never skips or repeats an event.
 */
@Injectable()
export class EventHistoryQueries {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly store: PostgresEventStore,
  ) {}

  /** Every event of one session, oldest first; needs `Cls.Audit` on the session's item. */
  async sessionHistory(
    caller: AuthenticatedCaller,
    kind: SessionStreamType,
    sessionId: string,
  ): Promise<readonly RecordedEvent[]> {
    const streamId = streamIdOf(kind, sessionId);
    const [scope] = isUuid(sessionId)
      ? await this.db.query<{ library_id: string; library_item_id: string }[]>(
          'SELECT library_id, library_item_id FROM stream_scope_view WHERE stream_id = $1',
          [streamId],
        )
      : [];
    if (!scope) throw notFound(kind, sessionId);
    requirePrivilege(caller, 'Cls.Audit', {
      kind: 'library_item',
      id: scope.library_item_id,
      libraryId: scope.library_id,
    });
    return (await this.store.readStream(streamId)).events;
  }

  /** Needs `Cls.Audit` on what the filter narrows to: the item, the library, or everything. */
  async audit(
    caller: AuthenticatedCaller,
    filter: AuditFilter,
    after: FeedPosition,
    limit: number,
  ): Promise<AuditPage> {
    requirePrivilege(caller, 'Cls.Audit', await this.auditedObject(filter));
    const rows = await this.db.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
          AND ($3::uuid IS NULL OR stream_id IN
                (SELECT stream_id FROM stream_scope_view WHERE library_item_id = $3::uuid))
          AND ($4::uuid IS NULL OR stream_id IN
                (SELECT stream_id FROM stream_scope_view WHERE library_id = $4::uuid))
          AND ($5::text IS NULL OR metadata->>'actor' = $5::text)
          AND ($6::text IS NULL OR event_type = $6::text)
          AND ($7::timestamptz IS NULL OR recorded_at >= $7::timestamptz)
          AND ($8::timestamptz IS NULL OR recorded_at < $8::timestamptz)
        -- Qualified: the bare name is the select list's text alias, which sorts '100000' first.
        ORDER BY events.transaction_id, events.global_position
        LIMIT $9`,
      [
        after.transactionId.toString(),
        after.globalPosition.toString(),
        filter.libraryItemId ?? null,
        filter.libraryId ?? null,
        filter.user ?? null,
        filter.eventType ?? null,
        filter.from?.toISOString() ?? null,
        filter.to?.toISOString() ?? null,
        limit,
      ],
    );
    const events = rows.map((row) => this.store.decode(row));
    const last = events.at(-1);
    return {
      events,
      next: last
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : after,
    };
  }

  private async auditedObject(filter: AuditFilter): Promise<ProtectedObject> {
    if (filter.libraryItemId !== undefined) {
      const [item] = await this.db.query<{ library_id: string }[]>(
        'SELECT library_id FROM stream_scope_view WHERE stream_id = $1',
        [streamIdOf('library_item', filter.libraryItemId)],
      );
      if (!item) throw notFound('library_item', filter.libraryItemId);
      return { kind: 'library_item', id: filter.libraryItemId, libraryId: item.library_id };
    }
    if (filter.libraryId !== undefined) {
      const [library] = await this.db.query<unknown[]>(
        'SELECT 1 FROM stream_scope_view WHERE stream_id = $1',
        [streamIdOf('library', filter.libraryId)],
      );
      if (!library) throw notFound('library', filter.libraryId);
      return { kind: 'library', id: filter.libraryId };
    }
    return { kind: 'global' };
  }
}
