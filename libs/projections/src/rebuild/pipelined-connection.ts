import { Socket } from 'node:net';

import type { ClientConfig } from 'pg';
import { Client } from 'pg';

import type { SqlExecutor } from '@cls/event-store';

/**
 * One connection that sends statements without waiting for the answers to earlier ones (pg's
 * pipeline mode), prepares each distinct statement once, and coalesces what is issued in one tick
 * into one socket write. A replay's lanes issue hundreds of small statements at once: a syscall
 * per message, or a parse and plan per statement, would cost more than executing them.
 */
export class PipelinedConnection {
  private readonly socket = new Socket();
  private readonly client: Client;
  private readonly statementNames = new Map<string, string>();
  private corked = false;

  /** The projections' statements, as named prepared statements. */
  readonly sql: SqlExecutor = {
    query: async <T>(text: string, parameters: readonly unknown[] = []): Promise<T[]> => {
      this.coalesceWrites();
      const result = await this.client.query({
        name: this.statementName(text),
        text,
        values: [...parameters],
      });
      return result.rows as T[];
    },
  };

  constructor(config: ClientConfig) {
    this.client = new Client({ ...config, pipeline: true, stream: () => this.socket });
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  /** A statement run once (transaction control, settings): not worth preparing. */
  async run(text: string): Promise<void> {
    this.coalesceWrites();
    await this.client.query(text);
  }

  async end(): Promise<void> {
    await this.client.end();
  }

  private statementName(text: string): string {
    let name = this.statementNames.get(text);
    if (name === undefined) {
      name = `projection_${this.statementNames.size}`;
      this.statementNames.set(text, name);
    }
    return name;
  }

  private coalesceWrites(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }
}
