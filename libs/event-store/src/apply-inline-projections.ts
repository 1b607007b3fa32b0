import type { InlineProjection, RecordedEvent, SqlExecutor } from './event-store.types';

/**
 * Runs every projection that handles the event, in order. The one dispatch shared by appends
 * (inside the append transaction) and by a projection rebuild, so both build the same rows.
 */
export async function applyInlineProjections(
  projections: readonly InlineProjection[],
  sql: SqlExecutor,
  event: RecordedEvent,
): Promise<void> {
  for (const projection of projections) {
    if (projection.eventTypes.includes(event.type)) await projection.apply(sql, event);
  }
}
