import type { DomainEvent } from '@cls/domain';

/** `no_stream`: the stream must not exist yet; `any`: append wherever it is; a number: the version it must be at. */
export type ExpectedVersion = number | 'no_stream' | 'any';

/** Who did it and why: the audit trail of every event (STYLE §5). */
export interface EventMetadata {
  readonly actor: string;
  readonly correlationId: string;
  /** The command id, or the id of the event that triggered a worker's command. */
  readonly causationId: string;
  readonly commandType: string;
  /** The W3C trace context of the request behind it, when that request sent a valid one. */
  readonly traceparent?: string;
}

export interface RecordedEvent<E extends DomainEvent = DomainEvent> {
  readonly eventId: string;
  readonly streamId: string;
  readonly streamType: string;
  readonly streamVersion: number;
  readonly globalPosition: bigint;
  readonly transactionId: bigint;
  readonly type: E['type'];
  readonly schemaVersion: number;
  readonly data: E['data'];
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

/** A place in the global feed: feed readers order by (transaction id, global position). */
export interface FeedPosition {
  readonly transactionId: bigint;
  readonly globalPosition: bigint;
}

export const FEED_START: FeedPosition = { transactionId: 0n, globalPosition: 0n };

export interface StreamAppend {
  readonly streamId: string;
  readonly streamType: string;
  readonly expectedVersion: ExpectedVersion;
  readonly events: readonly DomainEvent[];
}

/**
 * A stream a plan read but does not write. At commit its version must still be the one read,
 * checked under a shared lock on the stream that is held until commit, so whoever holds the
 * stream's exclusive lock (`PostgresEventStore.exclusively`) sees the plan wholly before or after.
 */
export interface StreamGuard {
  readonly streamId: string;
  readonly version: number;
}

/**
 * A fact a plan read outside the event store (a view) that only plans guarding `streamId` can
 * change. At commit the append takes the stream's exclusive lock, so each of those plans has
 * committed or waits for this one, and asks again: if the answer changed, the plan re-runs.
 */
export interface StreamClaim {
  readonly streamId: string;
  readonly stillHolds: (sql: SqlExecutor) => Promise<boolean>;
}

/** The narrow SQL surface projections get inside the append transaction. */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, parameters?: readonly unknown[]): Promise<T[]>;
}

export interface StreamSlice {
  /** 0 when the stream does not exist. */
  readonly version: number;
  readonly events: readonly RecordedEvent[];
}

/**
 * Told how each append went and how long its transaction took, so a process can measure the store
 * without the store depending on a metrics library.
 */
export interface EventStoreObserver {
  appended(outcome: 'ok' | 'conflict' | 'error', seconds: number): void;
}
