import { setTimeout as sleep } from 'node:timers/promises';

import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';

const RECONNECT_DELAY_MS = 1_000;

/** What a channel's subscriber is told. */
export interface NotificationHandler {
  /** A NOTIFY on the channel, with its payload. */
  notified(payload: string): void;
  /**
   * The connection was lost and is back: notifications sent meanwhile are gone, so whatever they
   * would have said must be assumed (re-read, drop caches).
   */
  missed(): void;
}

/**
 * Postgres LISTEN/NOTIFY for the whole process: one connection, opened on the first subscription,
 * fans notifications out by channel. `listening` says whether notifications arrive right now;
 * a subscriber that caches must not trust its cache while it is false.
 */
@Injectable()
export class PostgresNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger('postgres-notifications');
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  private connecting: Promise<void> | undefined;
  private client: Client | undefined;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Subscribes `handler` to `channel` (an identifier) and resolves once it listens; returns the unsubscribe. */
  async subscribe(channel: string, handler: NotificationHandler): Promise<() => void> {
    const handlers = this.handlers.get(channel) ?? new Set<NotificationHandler>();
    const isNewChannel = handlers.size === 0;
    handlers.add(handler);
    this.handlers.set(channel, handlers);
    this.connecting ??= this.connect();
    await this.connecting;
    // A connection lost meanwhile LISTENs to every channel again when it is back.
    if (isNewChannel) await this.client?.query(`LISTEN ${channel}`).catch(() => undefined);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.handlers.delete(channel);
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
        client.on('notification', ({ channel, payload }) => this.deliver(channel, payload ?? ''));
        client.on('error', (error) => this.reconnect(client, error));
        // A server that goes away may just end the connection, without an error first.
        client.on('end', () => this.reconnect(client, new Error('the connection ended')));
        for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
        this.client = client;
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (this.closed) return;
        this.logger.warn(`cannot listen for notifications: ${(error as Error).message}`);
        await sleep(RECONNECT_DELAY_MS);
      }
    }
  }

  private reconnect(client: Client, error: Error): void {
    if (this.client !== client || this.closed) return;
    this.logger.warn(`notifications interrupted: ${error.message}`);
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.connecting = this.connect().then(() => {
      for (const handlers of this.handlers.values())
        for (const handler of handlers) handler.missed();
    });
  }

  private deliver(channel: string, payload: string): void {
    for (const handler of this.handlers.get(channel) ?? []) handler.notified(payload);
  }
}
