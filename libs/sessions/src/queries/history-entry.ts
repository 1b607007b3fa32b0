import type { FeedPosition, RecordedEvent } from '@cls/event-store';

import { summarizeEventData } from './event-summary';

/** A position in the commit order as an opaque page cursor: `<transaction id>-<global position>`. */
export function cursorOf(position: FeedPosition): string {
  return `${position.transactionId}-${position.globalPosition}`;
}

export const CURSOR_PATTERN = /^\d{1,20}-\d{1,20}$/;

/** The position a cursor names; the caller has checked it against `CURSOR_PATTERN`. */
export function positionOf(cursor: string): FeedPosition {
  const [transactionId = '0', globalPosition = '0'] = cursor.split('-');
  return { transactionId: BigInt(transactionId), globalPosition: BigInt(globalPosition) };
}

/**
 * One history entry as the API and the CLI show it: what happened, when, by whom, in
 * answer to what.
 */
export function historyEntryOf(event: RecordedEvent): Record<string, unknown> {
  return {
    position: cursorOf(event),
    stream_id: event.streamId,
    stream_type: event.streamType,
    stream_version: event.streamVersion,
    type: event.type,
    time: event.recordedAt.toISOString(),
    actor: event.metadata.actor,
    correlation_id: event.metadata.correlationId,
    ...(event.metadata.traceparent === undefined
      ? {}
      : { traceparent: event.metadata.traceparent }),
    causation_id: event.metadata.causationId,
    command: event.metadata.commandType,
    data: summarizeEventData(event.data),
  };
}
