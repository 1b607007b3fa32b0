import { Injectable } from '@nestjs/common';

import { PostgresNotifications } from '@cls/database';
import { STREAM_CHANGES_CHANNEL } from '@cls/event-store';

type Listener = () => void;

/**
 * Tells live readers that a stream changed: the store's commit notifications, fanned out by
 * stream id. A notification only says "read again", so one lost while reconnecting is made good
 * by waking every listener once the connection is back.
 */
@Injectable()
export class StreamNotifications {
  private readonly listeners = new Map<string, Set<Listener>>();
  private subscribed: Promise<unknown> | undefined;

  constructor(private readonly notifications: PostgresNotifications) {}

  /** Calls `listener` after every commit touching the stream; returns the unsubscribe. */
  async subscribe(streamId: string, listener: Listener): Promise<() => void> {
    const listeners = this.listeners.get(streamId) ?? new Set<Listener>();
    listeners.add(listener);
    this.listeners.set(streamId, listeners);
    this.subscribed ??= this.notifications.subscribe(STREAM_CHANGES_CHANNEL, {
      notified: (changedStreamId) => this.wake(changedStreamId),
      missed: () => {
        for (const each of this.listeners.values()) for (const wake of each) wake();
      },
    });
    await this.subscribed;
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.listeners.delete(streamId);
    };
  }

  private wake(streamId: string): void {
    for (const listener of this.listeners.get(streamId) ?? []) listener();
  }
}
