import { createHash } from 'node:crypto';

import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

import type { SqlExecutor } from './event-store.types';

/**
 * The process's one connection pool: the pg pool under the TypeORM DataSource, for hot paths that
 * should not pay for TypeORM's query wrapper (migrations and the rest keep the DataSource).
 */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

const statementNames = new Map<string, string>();

/** A name per statement text, the same in every process, short enough for Postgres (≤ 63). */
function statementNameOf(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `cls_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Statements through a pool or one of its connections as named prepared statements: Postgres
 * parses and plans each text once per connection instead of on every call. Only for single,
 * fixed statement texts (a text built from varying values would prepare without end).
 */
export function prepared(on: Pool | PoolClient): SqlExecutor {
  return {
    async query<T>(text: string, parameters: readonly unknown[] = []): Promise<T[]> {
      const result = await on.query({
        name: statementNameOf(text),
        text,
        values: [...parameters],
      });
      return result.rows as T[];
    },
  };
}

/**
 * Runs `work` on a connection leased from the pool. While leased, the pool no longer listens for
 * the connection's errors: one raised while it idles between statements (the server going away)
 * is kept here rather than thrown at the process, and a connection that raised one, or that
 * `work` marks broken (a cleanup statement failed), is closed instead of pooled again.
 */
export async function withPooledClient<T>(
  pool: Pool,
  work: (client: PoolClient, markBroken: (error: Error) => void) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const markBroken = (error: Error): void => {
    broken ??= error;
  };
  client.on('error', markBroken);
  try {
    return await work(client, markBroken);
  } finally {
    client.off('error', markBroken);
    client.release(broken);
  }
}
