import type { RecordedEvent } from '@cls/event-store';

/**
 * Splits a batch of the feed into lanes that may replay side by side. Events of one lane keep
 * their feed order; lanes run concurrently, so two streams share a lane whenever their rows meet
 * under a constraint: items of one name in one library (unique per library: a deleted item's name
 * may be taken again), update sessions of an item (one ACTIVE session per item). Every other
 * stream only touches its own rows (libraries, download sessions and their files, an item's file
 * list) and gets a lane of its own. A projection adding a constraint across streams, or an event
 * renaming an item, must be reflected here; the row-by-row comparison would catch a miss.
 */
export class ReplayLanes {
  private readonly laneOfStream = new Map<string, string>();

  split(batch: readonly RecordedEvent[]): RecordedEvent[][] {
    const lanes = new Map<string, RecordedEvent[]>();
    for (const event of batch) {
      const lane = this.laneOf(event);
      const events = lanes.get(lane);
      if (events) events.push(event);
      else lanes.set(lane, [event]);
    }
    return [...lanes.values()];
  }

  /** Decided by the first event of each stream, which names what the stream belongs to. */
  private laneOf(event: RecordedEvent): string {
    const known = this.laneOfStream.get(event.streamId);
    if (known !== undefined) return known;
    const data = event.data as {
      readonly libraryId?: unknown;
      readonly libraryItemId?: unknown;
      readonly name?: unknown;
    };
    const lane =
      event.streamType === 'library_item' &&
      typeof data.libraryId === 'string' &&
      typeof data.name === 'string'
        ? `item-name:${JSON.stringify([data.libraryId, data.name])}`
        : event.streamType === 'update_session' && typeof data.libraryItemId === 'string'
          ? `item:${data.libraryItemId}`
          : `stream:${event.streamId}`;
    this.laneOfStream.set(event.streamId, lane);
    return lane;
  }
}
