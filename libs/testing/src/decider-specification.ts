import type { Decider, DomainError, DomainEvent, ErrorCode } from '@cls/domain';
import { fold } from '@cls/domain';

/**
 * given(events).when(command).then(events): decider specs that read like the contract (STYLE §9).
 */
export function deciderSpecification<S, C, E extends DomainEvent>(decider: Decider<S, C, E>) {
  return {
    given(history: readonly E[]) {
      const state = fold(decider.evolve, decider.initialState(), history);
      return {
        when(command: C) {
          const run = (): readonly E[] => decider.decide(command, state);
          return {
            then(expected: readonly E[]): void {
              expect(run()).toEqual(expected);
            },
            /** The decided events, for assertions on parts of them. */
            events(): readonly E[] {
              return run();
            },
            thenNothingHappened(): void {
              expect(run()).toEqual([]);
            },
            thenThrows(code: ErrorCode, messageId?: string): DomainError {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught).toMatchObject({ code });
              if (messageId !== undefined)
                expect((caught as DomainError).messages[0]?.id).toBe(messageId);
              return caught as DomainError;
            },
          };
        },
      };
    },
  };
}
