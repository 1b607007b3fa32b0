import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { LiveMessage } from '../live/session-live-feed';
import { liveMessageToSse } from '../wire/live-progress.wire';

/** How soon a disconnected EventSource should come back. */
const RETRY_MS = 1_000;

async function* serverSentEvents(messages: AsyncIterable<LiveMessage>): AsyncGenerator<string> {
  yield `retry: ${RETRY_MS}\n\n`;
  for await (const message of messages) yield liveMessageToSse(message);
}

/**
 * Sends the messages as Server-Sent Events. The next message is pulled only when the client has
 * taken the earlier ones, so a client that stops reading holds a socket buffer's worth and one
 * message, never a growing queue; destroying `out` ends the feed.
 */
export function sendServerSentEvents(
  messages: AsyncIterable<LiveMessage>,
  out: Writable,
): Promise<void> {
  return pipeline(Readable.from(serverSentEvents(messages), { highWaterMark: 1 }), out);
}
