import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { UpdateSessionCommand, UpdateSessionEvent, UpdateSessionState } from '@cls/domain';
import { SYSTEM_CALLER, updateSessionDecider } from '@cls/domain';
import type { Decided, EventMetadata } from '@cls/event-store';
import { DeciderCommandRunner } from '@cls/event-store';

import { Clock } from '../shared/clock';

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

  decide(
    sessionId: string,
    command: TransferCommand,
    metadata: EventMetadata,
  ): Promise<Decided<UpdateSessionState, UpdateSessionEvent>> {
    return this.runner.execute(
      updateSessionDecider,
      sessionId,
      {
        ...command,
        sessionId,
        caller: SYSTEM_CALLER,
        now: this.clock.now().toISOString(),
        timeoutSeconds: this.config.sessionTimeoutSeconds,
      },
      metadata,
    );
  }
}
