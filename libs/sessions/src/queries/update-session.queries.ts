import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AuthenticatedCaller } from '@cls/access';
import { requirePrivilege } from '@cls/access';
import { DATA_SOURCE } from '@cls/database';
import { isUuid } from '../shared/client-token';
import type { Message, SourceWarning, TransferStatus, WarningBehavior } from '@cls/domain';
import { canSee, notFound } from '@cls/domain';
import type { SqlExecutor } from '@cls/event-store';
import { poolOf, prepared } from '@cls/event-store';

import { LibraryItemQueries } from './library-item.queries';

export type UpdateSessionStateName = 'ACTIVE' | 'DONE' | 'ERROR' | 'CANCELED';

export interface UpdateSessionView {
  readonly id: string;
  readonly libraryItemId: string;
  readonly libraryItemContentVersion: number;
  readonly owner: string;
  readonly state: UpdateSessionStateName;
  readonly clientProgress: number;
  readonly expirationTime: Date;
  readonly warningBehavior: readonly WarningBehavior[];
  readonly errorMessage?: Message;
  /** Certificate warnings of the session's received files (preview_info, §5). */
  readonly warnings: readonly SourceWarning[];
  readonly itemType?: string;
  /** Status of the OVF descriptor added in this session, if any (preview state, §8.3). */
  readonly descriptorStatus?: TransferStatus;
}

interface SessionRow {
  id: string;
  library_item_id: string;
  library_item_content_version: number;
  owner: string;
  state: UpdateSessionStateName;
  client_progress: number;
  expiration_time: Date;
  warning_behavior: WarningBehavior[];
  error_message: Message | null;
  warnings: SourceWarning[] | null;
  item_type: string | null;
  descriptor_status: TransferStatus | null;
}

@Injectable()
export class UpdateSessionQueries {
  /** Hot reads (every GET and data-plane request) as prepared statements. */
  private readonly sql: SqlExecutor;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly items: LibraryItemQueries,
  ) {
    this.sql = prepared(poolOf(this.db));
  }

  /** The session if the caller created it (or is an admin); anyone else gets `not_found`. */
  async get(caller: AuthenticatedCaller, sessionId: string): Promise<UpdateSessionView> {
    const session = await this.find(sessionId);
    if (!session || !canSee(caller, session.owner)) throw notFound('update_session', sessionId);
    return session;
  }

  /** The session's deadline as activity outside events may have moved it (§8.5). */
  async deadlineOf(sessionId: string): Promise<Date | undefined> {
    if (!isUuid(sessionId)) return undefined;
    const [row] = await this.sql.query<{ expiration_time: Date }>(
      'SELECT expiration_time FROM update_session_view WHERE id = $1',
      [sessionId],
    );
    return row?.expiration_time;
  }

  /** The session whoever asks; for the service's own use (the data plane has no caller). */
  async find(sessionId: string): Promise<UpdateSessionView | undefined> {
    if (!isUuid(sessionId)) return undefined;
    const [row] = await this.sql.query<SessionRow>(
      `SELECT v.*, (SELECT jsonb_agg(w ORDER BY f.name)
                      FROM update_session_file_view f, jsonb_array_elements(f.warnings) w
                     WHERE f.session_id = v.id) AS warnings,
                   (SELECT i.type FROM library_item_view i WHERE i.id = v.library_item_id) AS item_type,
                   (SELECT f.status FROM update_session_file_view f
                     WHERE f.session_id = v.id AND f.source_type <> 'NONE' AND lower(f.name) LIKE '%.ovf'
                     ORDER BY f.name LIMIT 1) AS descriptor_status
         FROM update_session_view v WHERE v.id = $1`,
      [sessionId],
    );
    return row && this.toView(row);
  }

  /** The caller's own sessions, optionally of one item (which needs `ContentLibrary.UpdateSession` on it). */
  async listIds(caller: AuthenticatedCaller, libraryItemId?: string): Promise<string[]> {
    if (libraryItemId === undefined) return (await this.ownedBy(caller.user)).map((row) => row.id);
    const item = await this.items.require(libraryItemId);
    requirePrivilege(caller, 'ContentLibrary.UpdateSession', {
      kind: 'library_item',
      id: item.id,
      libraryId: item.libraryId,
    });
    const rows = await this.sql.query<{ id: string }>(
      'SELECT id FROM update_session_view WHERE owner = $1 AND library_item_id = $2 ORDER BY creation_time, id',
      [caller.user, item.id],
    );
    return rows.map((row) => row.id);
  }

  /** Sessions whose deadline has passed, oldest first: the expiry sweep's safety net (§8.5). */
  async dueForExpiry(now: Date, limit: number): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      'SELECT id FROM update_session_view WHERE expiration_time <= $1 ORDER BY expiration_time LIMIT $2',
      [now, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Those of `sessionIds` that are ACTIVE. */
  async activeAmong(sessionIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.sql.query<{ id: string }>(
      `SELECT id FROM update_session_view WHERE id = ANY($1::uuid[]) AND state = 'ACTIVE'`,
      [sessionIds.filter(isUuid)],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** The item's ACTIVE session; `sql` asks inside a commit (`DecisionScope.claim`). */
  async activeSessionOf(
    libraryItemId: string,
    sql: SqlExecutor = this.sql,
  ): Promise<{ id: string } | undefined> {
    const [row] = await sql.query<{ id: string }>(
      `SELECT id FROM update_session_view WHERE library_item_id = $1 AND state = 'ACTIVE'`,
      [libraryItemId],
    );
    return row;
  }

  private toView(row: SessionRow): UpdateSessionView {
    return {
      id: row.id,
      libraryItemId: row.library_item_id,
      libraryItemContentVersion: row.library_item_content_version,
      owner: row.owner,
      state: row.state,
      clientProgress: row.client_progress,
      expirationTime: row.expiration_time,
      warningBehavior: row.warning_behavior,
      warnings: row.warnings ?? [],
      ...(row.item_type === null ? {} : { itemType: row.item_type }),
      ...(row.descriptor_status === null ? {} : { descriptorStatus: row.descriptor_status }),
      ...(row.error_message === null ? {} : { errorMessage: row.error_message }),
    };
  }

  /** Every session of `owner` that is not deleted, oldest first, with its state. */
  async ownedBy(owner: string): Promise<{ id: string; state: string }[]> {
    return this.sql.query<{ id: string; state: string }>(
      'SELECT id, state FROM update_session_view WHERE owner = $1 ORDER BY creation_time, id',
      [owner],
    );
  }
}
