import { setTimeout as sleep } from 'node:timers/promises';

import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { STREAM_CHANGES_CHANNEL } from '@cls/event-store';

const RECONNECT_DELAY_MS = 1_000;

type Listener = () => void;

/**
 * Tells live readers that a stream changed: one LISTEN connection per process, opened on the
 * first subscription, fans the store's commit notifications out by stream id. A notification
 * only says "read again", so one lost while reconnecting is made good by waking every listener
 * once the connection is back.
 */
@Injectable()
export class StreamNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger('stream-notifications');
  private readonly listeners = new Map<string, Set<Listener>>();
  private connecting: Promise<void> | undefined;
  private client: Client | undefined;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Calls `listener` after every commit touching the stream; returns the unsubscribe. */
  async subscribe(streamId: string, listener: Listener): Promise<() => void> {
    const listeners = this.listeners.get(streamId) ?? new Set<Listener>();
    listeners.add(listener);
    this.listeners.set(streamId, listeners);
    this.connecting ??= this.connect();
    await this.connecting;
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.listeners.delete(streamId);
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    for (;;) {
      const client = new Client({ connectionString: this.config.databaseUrl });
      try {
        await client.connect();
        client.on('notification', ({ payload }) => this.wake(payload));
        client.on('error', (error) => this.reconnect(client, error));
        await client.query(`LISTEN ${STREAM_CHANGES_CHANNEL}`);
        this.client = client;
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (this.closed) return;
        this.logger.warn(`cannot listen for stream changes: ${(error as Error).message}`);
        await sleep(RECONNECT_DELAY_MS);
      }
    }
  }

  private reconnect(client: Client, error: Error): void {
    if (this.client !== client || this.closed) return;
    this.logger.warn(`stream change notifications interrupted: ${error.message}`);
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.connecting = this.connect().then(() => {
      for (const listeners of this.listeners.values()) for (const listener of listeners) listener();
    });
  }

  private wake(streamId: string | undefined): void {
    if (streamId === undefined) return;
    for (const listener of this.listeners.get(streamId) ?? []) listener();
  }
}
