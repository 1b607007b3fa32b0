import { setTimeout as sleep } from 'node:timers/promises';

import type { Decider, DomainEvent } from '@cls/domain';
import { concurrentModification, fold } from '@cls/domain';

import type {
  EventMetadata,
  RecordedEvent,
  SqlExecutor,
  StreamAppend,
  StreamClaim,
  StreamGuard,
} from './event-store.types';
import type { PostgresEventStore } from './postgres-event-store';
import type { StreamState } from './stream-state-cache';
import { StreamStateCache } from './stream-state-cache';
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
 *
 * With a cache, streams are taken from it without a read. That is safe because the commit proves
 * them current: an appended stream by its expected version, a relied-on one by its guard. Whatever
 * the commit cannot prove (a plan that throws, or leaves a cached stream neither appended nor
 * guarded) the runner re-runs on fresh reads (`provenByCommit`).
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
  readonly loaded = new Map<string, StreamState>();
  /** Streams whose state came from the cache, not from a read in this attempt. */
  readonly cached = new Set<string>();

  constructor(
    private readonly store: PostgresEventStore,
    private readonly cache?: StreamStateCache,
  ) {}

  async load<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
  ): Promise<{ state: S; version: number }> {
    const streamId = streamIdOf(decider.streamType, id);
    const known = this.loaded.get(streamId) ?? this.fromCache(streamId);
    if (known) return known as { state: S; version: number };
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
   * Takes a stream under a new random id as empty without reading it: appending to it states
   * `no_stream`, which proves it (and a plan that appends nothing to it is re-run on reads).
   */
  assumeNew<S, C, E extends DomainEvent>(decider: Decider<S, C, E>, id: string): void {
    const streamId = streamIdOf(decider.streamType, id);
    this.loaded.set(streamId, { state: decider.initialState(), version: 0 });
    this.cached.add(streamId);
  }

  private fromCache(streamId: string): StreamState | undefined {
    const entry = this.cache?.get(streamId);
    if (entry === undefined) return undefined;
    this.cached.add(streamId);
    this.loaded.set(streamId, entry);
    return entry;
  }

  /** Whether the commit will prove every state this plan took from the cache current. */
  get provenByCommit(): boolean {
    const proven = new Set([
      ...this.appends.map((append) => append.streamId),
      ...this.guards.map((guard) => guard.streamId),
    ]);
    return [...this.cached].every((streamId) => proven.has(streamId));
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
  /** Streams whose last known state the runner keeps (0: none; every command reads its streams). */
  readonly cachedStreams: number;
}

const DEFAULT_OPTIONS: RunnerOptions = { maxAttempts: 5, cachedStreams: 10_000 };

/**
 * Runs a plan of decisions and appends its events atomically. A version conflict means another
 * writer got there first: reload, decide again (deciders are pure, so that is safe), and after a
 * few attempts give up with `resource_busy` (STYLE §5). The states it decided on are kept for the
 * next command (`StreamStateCache`); one that turns out stale costs a conflict and a re-read.
 */
export class DeciderCommandRunner {
  private readonly options: RunnerOptions;
  private readonly cache: StreamStateCache | undefined;

  constructor(
    private readonly store: PostgresEventStore,
    options: Partial<RunnerOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    this.cache =
      this.options.cachedStreams > 0 ? new StreamStateCache(this.options.cachedStreams) : undefined;
  }

  /**
   * The current state of one stream, for questions that decide nothing (`validate`): always read,
   * though only the events after the version this process already knows.
   */
  async load<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
  ): Promise<{ state: S; version: number }> {
    const streamId = streamIdOf(decider.streamType, id);
    const known = this.cache?.get(streamId) as { state: S; version: number } | undefined;
    const slice = await this.store.readStream(streamId, known?.version ?? 0);
    const state = fold(
      (current: S, event: E) => decider.evolve(current, event),
      known?.state ?? decider.initialState(),
      slice.events as unknown as readonly E[],
    );
    const loaded = { state, version: slice.version };
    this.cache?.remember(streamId, loaded);
    return loaded;
  }

  /**
   * The state this process last decided on or read for a stream, else read now: for work done
   * ahead of a plan that then requires the version it was done for (the commit proves it, and a
   * stale state costs a conflict, which forgets it).
   */
  async lastKnown<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
  ): Promise<{ state: S; version: number }> {
    const known = this.cache?.get(streamIdOf(decider.streamType, id)) as
      { state: S; version: number } | undefined;
    return known ?? this.load(decider, id);
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
      const { scope, result } = await this.plan(plan);
      try {
        const recorded =
          scope.appends.length > 0
            ? await this.store.append(scope.appends, metadata, scope.guards, scope.claims)
            : [];
        for (const [streamId, state] of scope.loaded) this.cache?.remember(streamId, state);
        return { result, recorded };
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
        for (const streamId of [error.streamId, ...scope.loaded.keys()])
          this.cache?.forget(streamId);
        if (attempt >= this.options.maxAttempts) throw concurrentModification(attempt);
        await sleep(Math.random() * 5 * attempt);
      }
    }
  }

  /**
   * Runs the plan on cached states where it can. An outcome the commit would not prove (an error,
   * or a cached stream the plan neither appends to nor guards) may come from a stale state: the
   * plan runs again on fresh reads, and that answer stands.
   */
  private async plan<T>(
    plan: (scope: DecisionScope) => Promise<T>,
  ): Promise<{ scope: DecisionScope; result: T }> {
    if (this.cache !== undefined) {
      const scope = new DecisionScope(this.store, this.cache);
      try {
        const result = await plan(scope);
        if (scope.provenByCommit) return { scope, result };
      } catch (error) {
        if (scope.cached.size === 0) throw error;
      }
      for (const streamId of scope.cached) this.cache.forget(streamId);
    }
    const scope = new DecisionScope(this.store);
    return { scope, result: await plan(scope) };
  }
}
