import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { LibraryItemDeletionReason } from '@cls/domain';
import { libraryItemDecider, SYSTEM_CALLER, transfersOf, updateSessionDecider } from '@cls/domain';
import type { DecisionScope } from '@cls/event-store';

import { UpdateSessionQueries } from '../queries/update-session.queries';

/** A session the removal canceled, with the transfers whose staged bytes go once it commits. */
export interface CanceledSession {
  readonly sessionId: string;
  readonly transfers: readonly string[];
}

/**
 * The decisions shared by item delete and library delete: the item goes, its ACTIVE session is
 * canceled. The caller discards that session's staged bytes once the transaction has committed.
 */
@Injectable()
export class LibraryContentRemoval {
  constructor(
    private readonly sessions: UpdateSessionQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async removeItem(
    scope: DecisionScope,
    itemId: string,
    reason: LibraryItemDeletionReason,
    now: string,
  ): Promise<{ readonly canceled?: CanceledSession }> {
    await scope.decide(libraryItemDecider, itemId, {
      type: 'DeleteLibraryItem',
      itemId,
      reason,
      now,
    });
    const active = await this.sessions.activeSessionOf(itemId);
    // A create relies on the item's stream, so none commits between this answer and ours.
    scope.claim(
      libraryItemDecider,
      itemId,
      async (sql) => (await this.sessions.activeSessionOf(itemId, sql))?.id === active?.id,
    );
    if (!active) return {};
    const { state } = await scope.decide(updateSessionDecider, active.id, {
      type: 'CancelUpdateSession',
      sessionId: active.id,
      reason: 'ITEM_DELETED',
      caller: SYSTEM_CALLER,
      now,
      timeoutSeconds: this.config.sessionTimeoutSeconds,
    });
    return { canceled: { sessionId: active.id, transfers: transfersOf(state) } };
  }
}
