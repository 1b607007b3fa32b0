import { Client } from 'pg';

import type { SqlExecutor } from '@cls/event-store';
import { sqlIdentifier } from '@cls/event-store';

/** A connection of a rebuild's own, whose search path is `schema`. */
export async function openConnection(url: string, schema: string): Promise<Client> {
  const client = new Client({
    connectionString: url,
    application_name: 'cls-rebuild',
    // Durable enough: nothing reads the copies before the final, synchronous commit.
    options: `-c search_path=${sqlIdentifier(schema)} -c synchronous_commit=off`,
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/**
 * Connections of a rebuild's own, whose search path is the rebuild schema, sharing out the bulk
 * work (COPY, index builds, comparisons) so that Postgres works on two tables at once.
 */
export class BulkConnections {
  private constructor(private readonly clients: readonly Client[]) {}

  static async open(url: string, schema: string, count = 2): Promise<BulkConnections> {
    const connected = await Promise.allSettled(
      Array.from({ length: count }, () => openConnection(url, schema)),
    );
    const clients = connected.flatMap((outcome) =>
      outcome.status === 'fulfilled' ? [outcome.value] : [],
    );
    const opened = new BulkConnections(clients);
    const failed = connected.find((outcome) => outcome.status === 'rejected');
    if (failed) {
      await opened.close();
      throw failed.reason;
    }
    return opened;
  }

  /** Runs `work` on every item, each connection taking the next item as it comes free. */
  async each<T, R>(
    items: Iterable<T>,
    work: (item: T, client: Client, sql: SqlExecutor) => Promise<R>,
  ): Promise<R[]> {
    const queue = [...items].map((item, at) => ({ item, at }));
    const results: R[] = [];
    await Promise.all(
      this.clients.map(async (client) => {
        const sql: SqlExecutor = {
          query: async <Q>(text: string, parameters: readonly unknown[] = []) =>
            (await client.query(text, [...parameters])).rows as Q[],
        };
        for (let next = queue.shift(); next; next = queue.shift())
          results[next.at] = await work(next.item, client, sql);
      }),
    );
    return results;
  }

  /** Runs each statement once, two at a time. */
  async run(statements: readonly string[]): Promise<void> {
    await this.each(statements, (statement, client) => client.query(statement));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map((client) => client.end()));
  }
}
