import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Queue, Worker } from 'bullmq';
import { Client, Pool } from 'pg';

import { Doorbell } from '@cls/database';

import { FLOOR_COMMITS_CHANNEL, namedQuery, runHelper } from './floor-kit';

/**
 * The same-work floor's worker: the least relay that carries its server's events to jobs the way
 * the project's outbox relay does. It wakes on the commit notifications (a slow poll as the safety
 * net), reads the committed feed after its checkpoint in commit order, adds each new session's
 * delayed expiry job and each commit's collection job to BullMQ with deterministic ids, and stores
 * its checkpoint at most once a second. Its BullMQ workers take the expiry jobs when they fall due
 * and the collection jobs at once: these delete the files a commit replaced that no ACTIVE
 * download session serves.
 * Arguments: database URL (migrated), Redis URL, Redis key prefix, content folder. It prints 0
 * when it listens.
 */
const [databaseUrl, redisUrl, redisPrefix, content] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const BATCH_SIZE = 500;
/** Commits arriving while a batch is relayed gather into the next one. */
const BATCH_INTERVAL_MS = 100;
const SAFETY_POLL_MS = 5_000;
const CHECKPOINT_INTERVAL_MS = 1_000;
const CONSUMER = 'floor-relay';
const EXPIRY_QUEUE = 'session-expiration';
const COLLECTION_QUEUE = 'content-collection';

const STATEMENTS = {
  feed: `SELECT global_position, transaction_id::text AS transaction_id, event_id, event_type, data
      FROM events
     WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
       AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY events.transaction_id, events.global_position
     LIMIT ${BATCH_SIZE}`,
  saveCheckpoint: `INSERT INTO feed_checkpoint (consumer, transaction_id, global_position)
    VALUES ($1, $2::xid8, $3)
    ON CONFLICT (consumer) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,
      global_position = EXCLUDED.global_position, updated_at = now()`,
  pinned: `SELECT DISTINCT f.storage_key FROM download_session_file_view f
      JOIN download_session_view s ON s.id = f.session_id
     WHERE f.storage_key = ANY($1::text[]) AND s.state = 'ACTIVE'`,
} as const;

interface FeedRow {
  readonly global_position: string;
  readonly transaction_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly data: {
    readonly sessionId: string;
    readonly expiresAt?: string;
    readonly replaced?: readonly string[];
  };
}

const pool = new Pool({ connectionString: databaseUrl, max: 5 });
const listener = new Client({ connectionString: databaseUrl });
const connection = { url: redisUrl, maxRetriesPerRequest: null };
const prefix = `${redisPrefix}:bull`;
const expiries = new Queue(EXPIRY_QUEUE, { connection, prefix });
// No session's deadline falls within a bench run: the expiry worker only waits, as the project's.
const expirer = new Worker(EXPIRY_QUEUE, () => Promise.resolve(), { connection, prefix });
const collections = new Queue(COLLECTION_QUEUE, { connection, prefix });
const collector = new Worker<{ keys: string[] }>(
  COLLECTION_QUEUE,
  async (job) => {
    const { rows } = await query<{ storage_key: string }>(pool, 'pinned', [job.data.keys]);
    const pinned = new Set(rows.map((row) => row.storage_key));
    for (const key of job.data.keys)
      if (!pinned.has(key)) await rm(join(content, key), { force: true });
  },
  { connection, prefix, concurrency: 4 },
);
const query = namedQuery(STATEMENTS);
const bell = new Doorbell();
const stopping = new AbortController();
let position = { transactionId: '0', globalPosition: '0' };
let savedAt = 0;

/** Relays one batch of the feed; how many events it held. */
async function relayBatch(): Promise<number> {
  const { rows } = await query<FeedRow>(pool, 'feed', [
    position.transactionId,
    position.globalPosition,
  ]);
  const created = rows.filter((row) => row.event_type === 'UpdateSessionCreated');
  await expiries.addBulk(
    created.map((row) => ({
      name: 'expire-session',
      data: { sessionId: row.data.sessionId },
      opts: {
        jobId: `${row.event_id}-expire-session`,
        delay: Math.max(0, Date.parse(row.data.expiresAt!) - Date.now()),
      },
    })),
  );
  const replacing = rows.filter((row) => (row.data.replaced?.length ?? 0) > 0);
  await collections.addBulk(
    replacing.map((row) => ({
      name: 'collect-content',
      data: { keys: row.data.replaced! },
      opts: { jobId: `${row.event_id}-collect-content` },
    })),
  );
  const last = rows.at(-1);
  if (last) {
    position = { transactionId: last.transaction_id, globalPosition: last.global_position };
    if (rows.length < BATCH_SIZE || Date.now() - savedAt >= CHECKPOINT_INTERVAL_MS) {
      await query(pool, 'saveCheckpoint', [
        CONSUMER,
        position.transactionId,
        position.globalPosition,
      ]);
      savedAt = Date.now();
    }
  }
  return rows.length;
}

async function relay(): Promise<void> {
  while (!stopping.signal.aborted) {
    // No ring within the safety poll's interval reads anyway; a stop ends the loop.
    await bell
      .wait(AbortSignal.any([stopping.signal, AbortSignal.timeout(SAFETY_POLL_MS)]))
      .catch(() => undefined);
    if (stopping.signal.aborted) return;
    const relayed = await relayBatch();
    await sleep(BATCH_INTERVAL_MS);
    if (relayed === BATCH_SIZE) bell.ring();
  }
}

let relaying: Promise<void> = Promise.resolve();

runHelper(
  async () => {
    await listener.connect();
    listener.on('notification', () => bell.ring());
    await listener.query(`LISTEN ${FLOOR_COMMITS_CHANNEL}`);
    relaying = relay();
    return 0;
  },
  async () => {
    stopping.abort();
    await relaying;
    await Promise.all(
      [expirer, expiries, collector, collections].map((closing) => closing.close()),
    );
    await listener.end();
    await pool.end();
  },
);
