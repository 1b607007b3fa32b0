import { elapsedMs } from './measure';
import type { TimedClient, TimedResponse } from './timed-client';

const SESSIONS = '/api/content/library/item/update-session';
const FILE_NAME = 'bench.bin';
const PAYLOAD = Buffer.alloc(1024, 'x');

/** The calls of one session, in the order a client makes them. */
export const SESSION_CALLS = ['create', 'add', 'put', 'complete', 'get'] as const;
export type SessionCall = (typeof SESSION_CALLS)[number];

/** One client's loop: a round whenever `another()` allows; resolves with how many it finished. */
export type Lane = (index: number, another: () => boolean) => Promise<number>;

/** How long lanes run: for a time, or until they have started so many rounds between them. */
export type LaneExtent = { readonly seconds: number } | { readonly rounds: number };

function expectOk(call: string, response: TimedResponse): TimedResponse {
  if (response.status >= 300)
    throw new Error(`${call} answered ${response.status}: ${response.body}`);
  return response;
}

/** Runs `clients` lanes at once for `extent`; the rounds they finished and the time taken. */
export async function runLanes(
  clients: number,
  extent: LaneExtent,
  lane: Lane,
): Promise<{ count: number; seconds: number }> {
  const started = process.hrtime.bigint();
  let another: () => boolean;
  if ('seconds' in extent) {
    const deadline = Date.now() + extent.seconds * 1000;
    another = () => Date.now() < deadline;
  } else {
    let left = extent.rounds;
    another = () => (left -= 1) >= 0;
  }
  const counts = await Promise.all(
    Array.from({ length: clients }, (_, index) => lane(index, another)),
  );
  return { count: counts.reduce((a, b) => a + b, 0), seconds: elapsedMs(started) / 1000 };
}

export function emptyLatencies(): Record<SessionCall, number[]> {
  return { create: [], add: [], put: [], complete: [], get: [] };
}

/**
 * Lane `i` loops create update session → add a 1 KiB PUSH file → PUT its bytes → complete → GET,
 * on the items of `items[i]` in turn, recording each call's latency; any unexpected answer (or a
 * session not DONE after complete) stops the bench.
 */
export function sessionLane(
  client: TimedClient,
  items: readonly (readonly string[])[],
  latencies?: Record<SessionCall, number[]>,
): Lane {
  const timed = async (call: SessionCall, request: Promise<TimedResponse>) => {
    const response = expectOk(call, await request);
    latencies?.[call].push(response.ms);
    return response;
  };
  return async (index, another) => {
    const ring = items[index]!;
    let sessions = 0;
    while (another()) {
      const item = ring[sessions % ring.length]!;
      const created = await timed(
        'create',
        client.call('POST', SESSIONS, JSON.stringify({ library_item_id: item })),
      );
      const session = JSON.parse(created.body) as string;
      const added = await timed(
        'add',
        client.call(
          'POST',
          `${SESSIONS}/${session}/file`,
          JSON.stringify({ name: FILE_NAME, source_type: 'PUSH', size: PAYLOAD.length }),
        ),
      );
      const uri = (JSON.parse(added.body) as { upload_endpoint: { uri: string } }).upload_endpoint
        .uri;
      await timed('put', client.call('PUT', new URL(uri).pathname, PAYLOAD));
      await timed('complete', client.call('POST', `${SESSIONS}/${session}?action=complete`));
      const got = await timed('get', client.call('GET', `${SESSIONS}/${session}`));
      const { state } = JSON.parse(got.body) as { state: string };
      if (state !== 'DONE') throw new Error(`session ${session} is ${state} after complete`);
      sessions += 1;
    }
    return sessions;
  };
}
