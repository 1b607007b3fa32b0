import { randomUUID } from 'node:crypto';

import type { AuthenticatedCaller } from '@cls/access';
import type { EventMetadata } from '@cls/event-store';

/** What ties an event to the request behind it: carried from request to event, job and event. */
export interface Correlation {
  readonly correlationId: string;
  /** The request's W3C `traceparent` header, when it sent a valid one. */
  readonly traceparent?: string;
}

/** Just the correlation fields of a request, job, event metadata or stored row. */
export function correlationOf(source: Correlation): Correlation {
  return {
    correlationId: source.correlationId,
    ...(source.traceparent === undefined ? {} : { traceparent: source.traceparent }),
  };
}

/** Who is asking, and the request's correlation; built by the transport, carried by commands. */
export interface RequestContext extends Correlation {
  readonly caller: AuthenticatedCaller;
}

export function metadataFor(context: RequestContext, commandType: string): EventMetadata {
  return {
    actor: context.caller.user,
    ...correlationOf(context),
    causationId: randomUUID(),
    commandType,
  };
}

/** What a job brings from the event that caused it, so the worker's events say why they happened. */
export interface JobContext extends Correlation {
  /** The worker role that runs the job (`transfer`, `expiration`, …). */
  readonly role: string;
  /** The id of the event that asked for the job. */
  readonly causationId: string;
}

export function jobMetadata(context: JobContext, commandType: string): EventMetadata {
  return {
    actor: `system:${context.role}`,
    ...correlationOf(context),
    causationId: context.causationId,
    commandType,
  };
}
