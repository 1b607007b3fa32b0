import { randomUUID } from 'node:crypto';

import type { AuthenticatedCaller } from '@cls/access';
import type { EventMetadata } from '@cls/event-store';

/** Who is asking and under which correlation id; built by the transport, carried by every command. */
export interface RequestContext {
  readonly caller: AuthenticatedCaller;
  readonly correlationId: string;
}

export function metadataFor(context: RequestContext, commandType: string): EventMetadata {
  return {
    actor: context.caller.user,
    correlationId: context.correlationId,
    causationId: randomUUID(),
    commandType,
  };
}
