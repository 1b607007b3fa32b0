import { Injectable } from '@nestjs/common';

import { ContentStorage } from '@cls/transfer';

import { UpdateSessionQueries } from '../queries/update-session.queries';
import { PullSourceSecrets } from './pull-source-secrets';

/**
 * What a session keeps aside while ACTIVE (its staged bytes, the full URLs of its pulls) goes
 * when it ends: a completion clears its own, a cancel, expiry or failure has its discard job. This
 * is the fleet sweep's net under both, for a process that died in between.
 */
@Injectable()
export class SessionLeftovers {
  constructor(
    private readonly storage: ContentStorage,
    private readonly sessions: UpdateSessionQueries,
    private readonly secrets: PullSourceSecrets,
  ) {}

  /** Clears the leftovers of every session that is not ACTIVE; answers how many it found. */
  async clear(): Promise<number> {
    const staged = await this.storage.stagedTransfers();
    const active =
      staged.size === 0 ? new Set() : await this.sessions.activeAmong([...staged.keys()]);
    const ended = [...staged].filter(([sessionId]) => !active.has(sessionId));
    await Promise.all(
      ended.map(([sessionId, transfers]) => this.storage.discardSession(sessionId, transfers)),
    );
    return ended.length + (await this.secrets.forgetLeftovers());
  }
}
