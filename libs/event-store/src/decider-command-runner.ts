import { setTimeout as sleep } from 'node:timers/promises';

import type { Decider, DomainEvent } from '@cls/domain';
import { fold, message, ResourceBusy } from '@cls/domain';

import type { EventMetadata, RecordedEvent, StreamAppend } from './event-store.types';
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

  constructor(private readonly store: PostgresEventStore) {}

  async load<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
  ): Promise<{ state: S; version: number }> {
    const slice = await this.store.readStream(streamIdOf(decider.streamType, id));
    const state = fold(
      (current: S, event: E) => decider.evolve(current, event),
      decider.initialState(),
      slice.events as unknown as readonly E[],
    );
    return { state, version: slice.version };
  }

  async decide<S, C, E extends DomainEvent>(
    decider: Decider<S, C, E>,
    id: string,
    command: C,
  ): Promise<Decided<S, E>> {
    const { state, version } = await this.load(decider, id);
    const events = decider.decide(command, state);
    if (events.length > 0) {
      this.appends.push({
        streamId: streamIdOf(decider.streamType, id),
        streamType: decider.streamType,
        expectedVersion: version === 0 ? 'no_stream' : version,
        events,
      });
    }
    return {
      before: state,
      state: fold((s: S, e: E) => decider.evolve(s, e), state, events),
      events,
    };
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
          scope.appends.length > 0 ? await this.store.append(scope.appends, metadata) : [];
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
