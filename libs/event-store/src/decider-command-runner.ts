import { setTimeout as sleep } from 'node:timers/promises';

import type { Decider, DomainEvent } from '@cls/domain';
import { fold, message, ResourceBusy } from '@cls/domain';

import type {
  EventMetadata,
  RecordedEvent,
  SqlExecutor,
  StreamAppend,
  StreamClaim,
  StreamGuard,
} from './event-store.types';
import type { PostgresEventStore } from './postgres-event-store';
import { VersionConflict } from './version-conflict.error';

export function streamIdOf(streamType: string, id: string): string {
  return `${streamType}-${id}`;
}

export interface Decided<S, E extends DomainEvent> {
  /** The state the decision was taken on. */
  readonly before: S;
  readonly state: S;
  readonly events: readonly E[];
}

/**
 * The decisions of one attempt: each `decide` loads a stream, runs the pure decider and queues the
 * events at the version it saw. Nothing is written until the whole plan has decided.
 */
export class DecisionScope {
  readonly appends: StreamAppend[] = [];
  readonly guards: StreamGuard[] = [];
  readonly claims: StreamClaim[] = [];
  /**
   * Streams this attempt has read, with the state its own decisions left them in: a plan that
   * looks at a stream before deciding on it reads it once, and a second decision on the same
   * stream builds on the first.
   */
  private readonly loaded = new Map<string, { state: unknown; version: number }>();

  constructor(private readonly store: PostgresEventStore) {}

  async load<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
  ): Promise<{ state: S; version: number }> {
    const streamId = streamIdOf(decider.streamType, id);
    const known = this.loaded.get(streamId) as { state: S; version: number } | undefined;
    if (known) return known;
    const slice = await this.store.readStream(streamId);
    const state = fold(
      (current: S, event: E) => decider.evolve(current, event),
      decider.initialState(),
      slice.events as unknown as readonly E[],
    );
    const loaded = { state, version: slice.version };
    this.loaded.set(streamId, loaded);
    return loaded;
  }

  /**
   * Loads a stream the plan relies on without writing it: the commit re-checks its version under
   * a shared stream lock, and a stream that moved meanwhile re-runs the plan.
   */
  async rely<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
  ): Promise<{ state: S; version: number }> {
    const loaded = await this.load(decider, id);
    this.guards.push({ streamId: streamIdOf(decider.streamType, id), version: loaded.version });
    return loaded;
  }

  /**
   * Records that the plan decided on a fact outside the event store that only plans relying on the
   * stream can change (the view's ACTIVE session of an item): the commit holds the stream's
   * exclusive lock, asks `stillHolds` again, and re-runs the plan if the answer changed.
   */
  claim<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
    stillHolds: (sql: SqlExecutor) => Promise<boolean>,
  ): void {
    this.claims.push({ streamId: streamIdOf(decider.streamType, id), stillHolds });
  }

  async decide<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
    command: C,
  ): Promise<Decided<S, E>> {
    const streamId = streamIdOf(decider.streamType, id);
    const { state, version } = await this.load(decider, id);
    const events = decider.decide(command, state);
    const after = fold((s: S, e: E) => decider.evolve(s, e), state, events);
    if (events.length > 0) {
      this.appends.push({
        streamId,
        streamType: decider.streamType,
        expectedVersion: version === 0 ? 'no_stream' : version,
        events,
      });
      this.loaded.set(streamId, { state: after, version: version + events.length });
    }
    return { before: state, state: after, events };
  }
}

export interface RunnerOptions {
  readonly maxAttempts: number;
}

/**
 * Runs a plan of decisions and appends its events atomically. A version conflict means another
 * writer got there first: reload, decide again (deciders are pure, so that is safe), and after a
 * few attempts give up with `resource_busy` (STYLE §5).
 */
export class DeciderCommandRunner {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly options: RunnerOptions = { maxAttempts: 5 },
  ) {}

  /** The current state of one stream, for questions that decide nothing (`validate`). */
  load<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
  ): Promise<{ state: S; version: number }> {
    return new DecisionScope(this.store).load(decider, id);
  }

  async execute<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
    command: C,
    metadata: EventMetadata,
  ): Promise<Decided<S, E>> {
    return (await this.transact((scope) => scope.decide(decider, id, command), metadata)).result;
  }

  async transact<T>(
    plan: (scope: DecisionScope) => Promise<T>,
    metadata: EventMetadata,
  ): Promise<{ result: T; recorded: readonly RecordedEvent[] }> {
    for (let attempt = 1; ; attempt += 1) {
      const scope = new DecisionScope(this.store);
      const result = await plan(scope);
      try {
        const recorded =
          scope.appends.length > 0
            ? await this.store.append(scope.appends, metadata, scope.guards, scope.claims)
            : [];
        return { result, recorded };
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
        if (attempt >= this.options.maxAttempts) {
          throw new ResourceBusy(
            message(
              'com.vmware.vdcs.cls-main.concurrent_modification',
              `The object is being modified by other requests; retried ${attempt} times.`,
              [String(attempt)],
            ),
          );
        }
        await sleep(Math.random() * 5 * attempt);
      }
    }
  }
}
