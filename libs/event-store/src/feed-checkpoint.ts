import type { FeedPosition, SqlExecutor } from './event-store.types';
import { FEED_START } from './event-store.types';

/** Where a named feed consumer (the outbox relay, an async projection) has read up to. */
export async function loadFeedCheckpoint(
  sql: SqlExecutor,
  consumer: string,
): Promise<FeedPosition> {
  const [row] = await sql.query<{ transaction_id: string; global_position: string }>(
    'SELECT transaction_id::text AS transaction_id, global_position FROM feed_checkpoint WHERE consumer = $1',
    [consumer],
  );
  return row
    ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) }
    : FEED_START;
}

export async function saveFeedCheckpoint(
  sql: SqlExecutor,
  consumer: string,
  position: FeedPosition,
): Promise<void> {
  await sql.query(
    `INSERT INTO feed_checkpoint (consumer, transaction_id, global_position) VALUES ($1, $2::xid8, $3)
     ON CONFLICT (consumer) DO UPDATE
       SET transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = now()`,
    [consumer, position.transactionId.toString(), position.globalPosition.toString()],
  );
}
