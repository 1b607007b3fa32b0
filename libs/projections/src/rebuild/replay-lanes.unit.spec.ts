import type { RecordedEvent } from '@cls/event-store';

import { ReplayLanes } from './replay-lanes';

let position = 0n;

function recorded(
  streamType: string,
  id: string,
  data: Record<string, unknown> = {},
): RecordedEvent {
  position += 1n;
  return {
    eventId: `event-${position}`,
    streamId: `${streamType}-${id}`,
    streamType,
    streamVersion: 1,
    globalPosition: position,
    transactionId: 1n,
    type: 'Any',
    schemaVersion: 1,
    data,
    metadata: { actor: 'a', correlationId: 'c', causationId: 'c', commandType: 'T' },
    recordedAt: new Date(0),
  };
}

const ids = (lanes: RecordedEvent[][]) => lanes.map((lane) => lane.map((event) => event.eventId));

describe('ReplayLanes', () => {
  it('keeps the items of one name in one library in one lane, in feed order', () => {
    const lanes = new ReplayLanes();
    const library = recorded('library', 'L', { libraryId: 'L' });
    const first = recorded('library_item', 'I1', { libraryId: 'L', itemId: 'I1', name: 'iso' });
    const elsewhere = recorded('library_item', 'J', { libraryId: 'M', itemId: 'J', name: 'iso' });
    const other = recorded('library_item', 'K', { libraryId: 'L', itemId: 'K', name: 'ovf' });
    // I1 deleted, then its name taken again: the second create must replay after the delete.
    const deleted = recorded('library_item', 'I1', { itemId: 'I1' });
    const again = recorded('library_item', 'I2', { libraryId: 'L', itemId: 'I2', name: 'iso' });
    expect(ids(lanes.split([library, first, elsewhere, other, deleted, again]))).toEqual([
      [library.eventId],
      [first.eventId, deleted.eventId, again.eventId],
      [elsewhere.eventId],
      [other.eventId],
    ]);
  });

  it('keeps the update sessions of an item in one lane, across batches, by their first event', () => {
    const lanes = new ReplayLanes();
    const created = recorded('update_session', 'S1', { sessionId: 'S1', libraryItemId: 'I' });
    const rival = recorded('update_session', 'S2', { sessionId: 'S2', libraryItemId: 'I' });
    lanes.split([created, rival]);
    // Later events name only their session: the lane was remembered from the stream's first.
    const completed = recorded('update_session', 'S1', { sessionId: 'S1' });
    const next = recorded('update_session', 'S3', { sessionId: 'S3', libraryItemId: 'I' });
    expect(ids(lanes.split([completed, next]))).toEqual([[completed.eventId, next.eventId]]);
  });

  it('gives every download session a lane of its own', () => {
    const lanes = new ReplayLanes();
    const a = recorded('download_session', 'D1', { sessionId: 'D1', libraryItemId: 'I' });
    const b = recorded('download_session', 'D2', { sessionId: 'D2', libraryItemId: 'I' });
    expect(ids(lanes.split([a, b, recorded('download_session', 'D1')]))).toHaveLength(2);
  });
});
