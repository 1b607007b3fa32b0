import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AuthenticatedCaller } from '@cls/access';
import { requirePrivilege } from '@cls/access';
import { DATA_SOURCE } from '@cls/database';
import { isUuid } from '../shared/client-token';
import type { Message, WarningBehavior } from '@cls/domain';
import { canSee, notFound } from '@cls/domain';

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
}

@Injectable()
export class UpdateSessionQueries {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly items: LibraryItemQueries,
  ) {}

  /** The session if the caller created it (or is an admin); anyone else gets `not_found`. */
  async get(caller: AuthenticatedCaller, sessionId: string): Promise<UpdateSessionView> {
    const session = await this.find(sessionId);
    if (!session || !canSee(caller, session.owner)) throw notFound('update_session', sessionId);
    return session;
  }

  /** The session whoever asks; for the service's own use (the data plane has no caller). */
  async find(sessionId: string): Promise<UpdateSessionView | undefined> {
    if (!isUuid(sessionId)) return undefined;
    const [row] = await this.db.query<SessionRow[]>(
      'SELECT * FROM update_session_view WHERE id = $1',
      [sessionId],
    );
    return row && this.toView(row);
  }

  /** The caller's own sessions, optionally of one item (which needs `ContentLibrary.UpdateSession` on it). */
  async listIds(caller: AuthenticatedCaller, libraryItemId?: string): Promise<string[]> {
    if (libraryItemId === undefined) {
      const rows = await this.db.query<{ id: string }[]>(
        'SELECT id FROM update_session_view WHERE owner = $1 ORDER BY creation_time, id',
        [caller.user],
      );
      return rows.map((row) => row.id);
    }
    const item = await this.items.require(libraryItemId);
    requirePrivilege(caller, 'ContentLibrary.UpdateSession', {
      kind: 'library_item',
      id: item.id,
      libraryId: item.libraryId,
    });
    const rows = await this.db.query<{ id: string }[]>(
      'SELECT id FROM update_session_view WHERE owner = $1 AND library_item_id = $2 ORDER BY creation_time, id',
      [caller.user, item.id],
    );
    return rows.map((row) => row.id);
  }

  async activeSessionOf(libraryItemId: string): Promise<{ id: string } | undefined> {
    const [row] = await this.db.query<{ id: string }[]>(
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
      ...(row.error_message === null ? {} : { errorMessage: row.error_message }),
    };
  }
}
