import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { Correlation } from '@cls/context';
import { correlationOf } from '@cls/context';
import { DATA_SOURCE } from '@cls/database';
import type { UpdateSessionEvent } from '@cls/domain';
import type { EventMetadata } from '@cls/event-store';

/** An event whose follow-up job must still be somewhere in the queues. */
export interface PendingTrigger {
  readonly eventId: string;
  /** The correlation of the request behind the event, for the job offered again. */
  readonly correlation: Correlation;
  readonly event: UpdateSessionEvent;
}

/** A PUSH file of an ACTIVE session, declared with a size and not received yet. */
export interface UnreceivedPush {
  readonly sessionId: string;
  readonly name: string;
  readonly transferId: string;
}

/**
 * Work the queues owe to ACTIVE sessions: pulls not finished and completions still postponed, with
 * the events that asked for them. If Redis lost their jobs (a restart without persistence), the
 * sweep re-enqueues them under the same deterministic ids, a no-op while the jobs still exist.
 */
@Injectable()
export class UnfinishedWorkQueries {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  async pendingTriggers(limit: number): Promise<PendingTrigger[]> {
    const rows = await this.db.query<
      { event_id: string; event_type: string; data: unknown; metadata: EventMetadata }[]
    >(
      `SELECT e.event_id, e.event_type, e.data, e.metadata
         FROM update_session_file_view f
         JOIN update_session_view s ON s.id = f.session_id AND s.state = 'ACTIVE'
         JOIN events e ON e.stream_id = 'update_session-' || f.session_id
                      AND e.event_type = 'UpdateSessionFileAdded'
                      AND e.data->>'transferId' = f.transfer_id::text
        WHERE f.source_type = 'PULL' AND f.status IN ('WAITING_FOR_TRANSFER', 'TRANSFERRING')
       UNION ALL
       SELECT e.event_id, e.event_type, e.data, e.metadata
         FROM update_session_view s
         JOIN events e ON e.stream_id = 'update_session-' || s.id
                      AND e.event_type = 'UpdateSessionCompletionRequested'
        WHERE s.state = 'ACTIVE' AND s.completion_requested
       LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      eventId: row.event_id,
      correlation: correlationOf(row.metadata),
      event: { type: row.event_type, data: row.data } as UpdateSessionEvent,
    }));
  }

  /**
   * PUSH files that may have all their bytes staged while their receipt was lost: those with a
   * declared size, not received, in ACTIVE sessions. The sweep checks their staging files.
   */
  async unreceivedPushes(limit: number): Promise<UnreceivedPush[]> {
    const rows = await this.db.query<{ session_id: string; name: string; transfer_id: string }[]>(
      `SELECT f.session_id, f.name, f.transfer_id
         FROM update_session_file_view f
         JOIN update_session_view s ON s.id = f.session_id AND s.state = 'ACTIVE'
        WHERE f.source_type = 'PUSH' AND f.status IN ('WAITING_FOR_TRANSFER', 'TRANSFERRING')
          AND f.declared_size IS NOT NULL AND f.transfer_id IS NOT NULL
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      sessionId: row.session_id,
      name: row.name,
      transferId: row.transfer_id,
    }));
  }
}
