import { Redis } from 'ioredis';
import { Client } from 'pg';

/**
 * Named counters at one instant, all monotonic: `statement <queryid> <toplevel>` (calls),
 * `transactions`, `redis <command>` (a client's) and `lua <command>` (run by a script).
 */
export type Counters = ReadonlyMap<string, number>;

export const TRANSACTIONS = 'transactions';

/** What the counters of `before` grew by in `after`. */
export function growth(before: Counters, after: Counters): Map<string, number> {
  return new Map([...after].map(([key, value]) => [key, value - (before.get(key) ?? 0)]));
}

/** The sum of the counters whose names start with `prefix`. */
export function totalOf(counters: Counters, prefix: string): number {
  let total = 0;
  for (const [key, value] of counters) if (key.startsWith(prefix)) total += value;
  return total;
}

/**
 * Statement and transaction counters of the databases on one Postgres server, read from its
 * `postgres` database: the readings run there, so they never count themselves. Needs
 * pg_stat_statements preloaded, with `track = all` to count statements run inside functions.
 */
export class PostgresActivity {
  /** Query text by counter name, for the breakdown. */
  private readonly texts = new Map<string, string>();

  private constructor(private readonly client: Client) {}

  static async connect(serverUrl: string): Promise<PostgresActivity> {
    const client = new Client({ connectionString: `${serverUrl}/postgres` });
    await client.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    return new PostgresActivity(client);
  }

  /**
   * Statement calls and transactions of `database` so far. Statement counts are exact at once;
   * Postgres 15 backends report transactions when they go idle, at most once a second, and an idle
   * backend's last ones up to 10 s later, so a reading after activity must wait that long.
   */
  async read(database: string): Promise<Counters> {
    const statements = await this.client.query<{ key: string; query: string; calls: string }>(
      `SELECT 'statement ' || s.queryid || ' ' || s.toplevel AS key, s.query, s.calls
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
        WHERE d.datname = $1`,
      [database],
    );
    const transactions = await this.client.query<{ transactions: string }>(
      'SELECT xact_commit + xact_rollback AS transactions FROM pg_stat_database WHERE datname = $1',
      [database],
    );
    const counters = new Map<string, number>();
    for (const row of statements.rows) {
      counters.set(row.key, Number(row.calls));
      this.texts.set(row.key, row.query);
    }
    counters.set(TRANSACTIONS, Number(transactions.rows[0]?.transactions ?? 0));
    return counters;
  }

  /** The query of a `statement …` counter, on one line, marked when run inside a function. */
  textOf(key: string): string {
    const text = (this.texts.get(key) ?? key).replace(/\s+/g, ' ').trim();
    return key.endsWith(' false') ? `(nested) ${text}` : text;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/**
 * Every command a Redis runs, from MONITOR: a client's (top-level, each a round trip) or one a Lua
 * script runs (`[0 lua]`). The MONITOR connection sends nothing once monitoring, and the commands
 * of this object's own connection are left out.
 */
export class RedisActivity {
  private readonly counts = new Map<string, number>();

  private constructor(
    private readonly commands: Redis,
    private readonly monitor: Redis,
  ) {}

  static async start(url: string): Promise<RedisActivity> {
    const commands = new Redis(url);
    const info = await commands.client('INFO');
    const ownAddress = /(?:^| )addr=(\S+)/.exec(info)?.[1];
    const monitor = await commands.monitor();
    const activity = new RedisActivity(commands, monitor);
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source === ownAddress) return;
      const key = `${source === 'lua' ? 'lua' : 'redis'} ${args[0]?.toLowerCase()}`;
      activity.counts.set(key, (activity.counts.get(key) ?? 0) + 1);
    });
    return activity;
  }

  /** Commands so far, by who ran them and name. */
  read(): Counters {
    return new Map(this.counts);
  }

  /** Members of a sorted set (BullMQ's delayed jobs of a queue), not counted as activity. */
  sortedSetSize(key: string): Promise<number> {
    return this.commands.zcard(key);
  }

  close(): void {
    this.monitor.disconnect();
    this.commands.disconnect();
  }
}
