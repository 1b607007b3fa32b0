import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { Clock } from '@cls/context';
import type {
  Digests,
  Message,
  SourceWarning,
  UpdateSessionCommand,
  UpdateSessionEvent,
  UpdateSessionState,
} from '@cls/domain';
import { DomainError, SYSTEM_CALLER, transfersOf, updateSessionDecider } from '@cls/domain';
import type { Decided, EventMetadata } from '@cls/event-store';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A session command as a transfer states it; who, when and the timeout are filled in. */
export type TransferCommand = DistributiveOmit<
  UpdateSessionCommand,
  'sessionId' | 'caller' | 'now' | 'timeoutSeconds'
>;

/** The file a transfer fills, as both ends of a transfer name it. */
export interface TransferredFile {
  readonly sessionId: string;
  readonly name: string;
  readonly transferId: string;
}

/**
 * The data plane and the pull worker speak for the service, not for a user: their commands run
 * as the system caller, the uploader or worker role named in the event metadata's actor. Both end
 * a transfer here, the same way: what arrived is recorded for the decider to judge, or the
 * transfer fails; a session that ends ERROR either way loses its staged bytes at once.
 */
@Injectable()
export class TransferDecisions {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly storage: ContentStorage,
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

  /**
   * Records the staged bytes as the file's (after `before`, a start the transfer put off): the
   * decider judges their size and digests, and a session it fails loses its staging.
   */
  async recordReceived(
    file: TransferredFile,
    arrived: {
      readonly size: number;
      readonly digests: Digests;
      readonly warnings?: readonly SourceWarning[];
    },
    metadata: EventMetadata,
    before: readonly TransferCommand[] = [],
  ): Promise<Decided<UpdateSessionState, UpdateSessionEvent>> {
    const decided = await this.decide(
      file.sessionId,
      [
        ...before,
        {
          type: 'RecordUpdateSessionFileReceived',
          name: file.name,
          transferId: file.transferId,
          size: arrived.size,
          digests: arrived.digests,
          ...(arrived.warnings === undefined ? {} : { warnings: arrived.warnings }),
        },
      ],
      metadata,
    );
    if (decided.state.status === 'ERROR')
      await this.storage.discardSession(file.sessionId, transfersOf(decided.state));
    return decided;
  }

  /**
   * Fails the file's transfer with `reason`, which ends the session ERROR, and frees what it
   * staged. A session that ended meanwhile has nothing left to fail.
   */
  async failTransfer(
    file: TransferredFile,
    reason: Message,
    metadata: EventMetadata,
  ): Promise<void> {
    let state: UpdateSessionState;
    try {
      ({ state } = await this.decide(
        file.sessionId,
        [
          {
            type: 'FailUpdateSessionFileTransfer',
            name: file.name,
            transferId: file.transferId,
            reason,
          },
        ],
        metadata,
      ));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      state = await this.current(file.sessionId);
    }
    await this.storage.discardSession(file.sessionId, transfersOf(state));
  }
}
