import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { Clock } from '@cls/context';
import type { UpdateSessionCommand, UpdateSessionEvent, UpdateSessionState } from '@cls/domain';
import { SYSTEM_CALLER, updateSessionDecider } from '@cls/domain';
import type { Decided, EventMetadata } from '@cls/event-store';
import { DeciderCommandRunner } from '@cls/event-store';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A session command as a transfer states it; who, when and the timeout are filled in. */
export type TransferCommand = DistributiveOmit<
  UpdateSessionCommand,
  'sessionId' | 'caller' | 'now' | 'timeoutSeconds'
>;

/**
 * The data plane and the pull worker speak for the service, not for a user: their commands run
 * as the system caller, the uploader or worker role named in the event metadata's actor.
 */
@Injectable()
export class TransferDecisions {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The session as it is now: read (only the events this process has not seen), not taken from the
   * cache, since a refusal (404 for an ended session) must not rest on a stale state.
   */
  async current(sessionId: string): Promise<UpdateSessionState> {
    return (await this.runner.load(updateSessionDecider, sessionId)).state;
  }

  /** Decides `commands` in turn on the session and appends all their events in one transaction. */
  async decide(
    sessionId: string,
    commands: readonly TransferCommand[],
    metadata: EventMetadata,
  ): Promise<Decided<UpdateSessionState, UpdateSessionEvent>> {
    const now = this.clock.now().toISOString();
    const { result } = await this.runner.transact(async (scope) => {
      const decisions: Decided<UpdateSessionState, UpdateSessionEvent>[] = [];
      for (const command of commands) {
        decisions.push(
          await scope.decide(updateSessionDecider, sessionId, {
            ...command,
            sessionId,
            caller: SYSTEM_CALLER,
            now,
            timeoutSeconds: this.config.sessionTimeoutSeconds,
          }),
        );
      }
      const [first] = decisions;
      const last = decisions.at(-1);
      if (!first || !last) throw new Error('no transfer command to decide');
      return {
        before: first.before,
        state: last.state,
        events: decisions.flatMap((d) => d.events),
      };
    }, metadata);
    return result;
  }
}
