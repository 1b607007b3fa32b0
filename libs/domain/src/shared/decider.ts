/** An event as the domain sees it: a type name and its data. */
export interface DomainEvent<TType extends string = string, TData extends object = object> {
  readonly type: TType;
  readonly data: TData;
}

/** The pure core of a stream type: the event-sourcing triple, with no I/O. */
export interface Decider<TState, TCommand, TEvent extends DomainEvent> {
  readonly streamType: string;
  initialState(): TState;
  evolve(state: TState, event: TEvent): TState;
  decide(command: TCommand, state: TState): readonly TEvent[];
}

export function fold<TState, TEvent>(
  evolve: (state: TState, event: TEvent) => TState,
  initial: TState,
  events: readonly TEvent[],
): TState {
  return events.reduce(evolve, initial);
}

/** Timestamps inside events are ISO-8601 strings: events are JSON facts, not live objects. */
export function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}
