import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import type { LiveMessage } from '../live/session-live-feed';
import { sendServerSentEvents } from './server-sent-events';

const progress = (bytes: number): LiveMessage => ({
  kind: 'progress',
  at: new Date(0),
  files: [
    {
      name: 'disk.iso',
      status: 'TRANSFERRING',
      bytesTransferred: bytes,
      transferring: true,
      bytesPerSecond: 0,
      stalled: false,
    },
  ],
});

/** An endless feed that counts how often it was asked for a message and notices when it is closed. */
function endlessFeed(): {
  messages: AsyncIterable<LiveMessage>;
  pulls: () => number;
  closed: () => boolean;
} {
  let pulls = 0;
  let closed = false;
  async function* messages(): AsyncGenerator<LiveMessage> {
    try {
      for (;;) {
        await Promise.resolve(); // as a real feed waits for its next change
        pulls += 1;
        yield progress(pulls * 1024);
      }
    } finally {
      closed = true;
    }
  }
  return { messages: messages(), pulls: () => pulls, closed: () => closed };
}

/** A client whose socket takes the first write and then never another byte. */
const clientThatNeverReads = (): { out: Writable; received: () => string } => {
  let received = '';
  const out = new Writable({
    highWaterMark: 1024,
    // Never calls back: the bytes stay "in flight" for good.
    write(chunk: Buffer) {
      received += chunk.toString();
    },
  });
  return { out, received: () => received };
};

describe('sendServerSentEvents', () => {
  it('writes each message as an event, after the retry hint', async () => {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, taken) {
        chunks.push(chunk.toString());
        taken();
      },
    });
    await sendServerSentEvents(Readable.from([progress(1), progress(2)]), out);

    expect(chunks[0]).toBe('retry: 1000\n\n');
    expect(chunks.slice(1).map((chunk) => chunk.split('\n')[0])).toEqual([
      'event: progress',
      'event: progress',
    ]);
    expect(chunks[2]).toContain('"bytes_transferred":2');
  });

  it('stops pulling messages from the feed while the client does not read', async () => {
    const feed = endlessFeed();
    const client = clientThatNeverReads();

    const sending = sendServerSentEvents(feed.messages, client.out);
    sending.catch(() => undefined);
    await sleep(50);
    const pulledWhileStuck = feed.pulls();
    await sleep(200);

    // Bounded by the stream buffers (a few messages), however long the client stays stuck.
    expect(pulledWhileStuck).toBeLessThan(10);
    expect(feed.pulls()).toBe(pulledWhileStuck);
    expect(client.received()).toBe('retry: 1000\n\n');

    client.out.destroy();
    await expect(sending).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    expect(feed.closed()).toBe(true);
  });
});
