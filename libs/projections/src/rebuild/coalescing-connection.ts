import type { ClientConfig, QueryResult } from 'pg';
import { Client, escapeLiteral } from 'pg';

import type { SqlExecutor } from '@cls/event-store';

interface PendingStatement {
  readonly text: string;
  readonly resolve: (rows: unknown[]) => void;
  readonly reject: (error: unknown) => void;
}

/** A parameter as a literal of unknown type, which Postgres casts to the prepared parameter's type. */
function literalOf(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return escapeLiteral(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return escapeLiteral(String(value));
  throw new TypeError(
    `a replayed statement takes strings, numbers or booleans, not ${typeof value}`,
  );
}

/**
 * One connection that sends every statement issued in one tick as one multi-statement simple
 * query: each is the `EXECUTE` of a statement prepared once per connection, its parameters inlined
 * as escaped literals. A replay's lanes each wait for their previous statement, so one tick holds
 * the next statement of every lane: hundreds of statements per round trip. The client's cost per
 * query (a query object, its promise, its messages), not Postgres, bounded a replay that sent
 * them one by one.
 *
 * Statements run in the order they were issued. Outside `BEGIN`, a round trip is one implicit
 * transaction. If a statement fails, the rest of its round trip is not run and every statement of
 * that round trip is rejected with the error.
 */
export class CoalescingConnection {
  private readonly client: Client;
  private readonly preparedNames = new Map<string, string>();
  private preparedCount = 0;
  private pending: PendingStatement[] = [];
  private flushScheduled = false;

  /** The projections' statements, prepared on first use. */
  readonly sql: SqlExecutor = {
    query: async <T>(text: string, parameters: readonly unknown[] = []): Promise<T[]> =>
      (await this.enqueue(this.executionOf(text, parameters))) as T[],
  };

  constructor(config: ClientConfig) {
    this.client = new Client(config);
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  /** A statement run as it is (transaction control, settings), in order with the others. */
  async run(text: string): Promise<void> {
    await this.enqueue(text);
  }

  async end(): Promise<void> {
    await this.client.end();
  }

  private executionOf(text: string, parameters: readonly unknown[]): string {
    let name = this.preparedNames.get(text);
    if (name === undefined) {
      name = `replay_${this.preparedCount++}`;
      this.preparedNames.set(text, name);
      // Prepared ahead of its first execution, in the same round trip; a failure rejects that, and
      // the next use prepares it again.
      this.push({
        text: `PREPARE ${name} AS ${text}`,
        resolve: () => {},
        reject: () => this.preparedNames.delete(text),
      });
    }
    return parameters.length === 0
      ? `EXECUTE ${name}`
      : `EXECUTE ${name}(${parameters.map(literalOf).join(', ')})`;
  }

  private enqueue(text: string): Promise<unknown[]> {
    return new Promise((resolve, reject) => this.push({ text, resolve, reject }));
  }

  private push(statement: PendingStatement): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
    this.pending.push(statement);
  }

  private flush(): void {
    const statements = this.pending;
    this.pending = [];
    this.flushScheduled = false;
    this.client.query(statements.map((statement) => statement.text).join(';\n')).then(
      (outcome: QueryResult | QueryResult[]) => {
        // pg answers a one-statement query with its result, a longer one with an array of them.
        const results = Array.isArray(outcome) ? outcome : [outcome];
        statements.forEach((statement, index) => statement.resolve(results[index]?.rows ?? []));
      },
      (error: unknown) => {
        for (const statement of statements) statement.reject(error);
      },
    );
  }
}
