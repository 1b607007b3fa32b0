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

/** What a job brings from the event that caused it, so the worker's events say why they happened. */
export interface JobContext {
  /** The worker role that runs the job (`transfer`, `expiration`, …). */
  readonly role: string;
  readonly correlationId: string;
  /** The id of the event that asked for the job. */
  readonly causationId: string;
}

export function jobMetadata(context: JobContext, commandType: string): EventMetadata {
  return {
    actor: `system:${context.role}`,
    correlationId: context.correlationId,
    causationId: context.causationId,
    commandType,
  };
}
