import { historyEntryOf } from '@cls/sessions';

import type { LiveMessage } from '../live/session-live-feed';
import type { FileProgress } from '../live/transfer-progress';
import { dateTimeToWire } from './time.wire';

function fileProgressToWire(file: FileProgress): Record<string, unknown> {
  return {
    name: file.name,
    status: file.status,
    bytes_transferred: file.bytesTransferred,
    ...(file.size === undefined ? {} : { size: file.size }),
    bytes_per_second: Math.round(file.bytesPerSecond),
    ...(file.etaSeconds === undefined ? {} : { eta_seconds: file.etaSeconds }),
    stalled: file.stalled,
  };
}

/**
 * One message as a Server-Sent Event. State changes carry their stream version as the event id,
 * so a reconnecting client's `Last-Event-ID` resumes right after the last change it saw; progress
 * has no id, as a resumed client wants the current bytes, not old ones.
 */
export function liveMessageToSse(message: LiveMessage): string {
  if (message.kind === 'change') {
    const data = { ...historyEntryOf(message.event), state: message.state };
    return `id: ${message.id}\nevent: change\ndata: ${JSON.stringify(data)}\n\n`;
  }
  const data = {
    time: dateTimeToWire(message.at),
    bytes_transferred: message.files.reduce((total, file) => total + file.bytesTransferred, 0),
    files: message.files.map(fileProgressToWire),
  };
  return `event: progress\ndata: ${JSON.stringify(data)}\n\n`;
}
