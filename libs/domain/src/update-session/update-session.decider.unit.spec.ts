import type { UpdateSessionCommand, UpdateSessionEvent } from '@cls/domain';
import { addSeconds, nextClientProgress, updateSessionDecider } from '@cls/domain';
import {
  admin,
  alice,
  bob,
  deciderSpecification,
  ITEM_ID,
  LIBRARY_ID,
  SESSION_ID,
  sessionCanceled,
  sessionCompleted,
  sessionCreated,
  sessionDeleted,
  sessionFailed,
  sessionKeptAlive,
  T0,
  TIMEOUT,
  expireSession,
} from '@cls/testing';

const spec = deciderSpecification(updateSessionDecider);
const NOW = '2026-11-23T10:02:00.000Z';
const LATER = addSeconds(NOW, TIMEOUT);
const envelope = { sessionId: SESSION_ID, caller: alice, now: NOW, timeoutSeconds: TIMEOUT };

const operations: Record<string, UpdateSessionCommand> = {
  keep_alive: { type: 'KeepUpdateSessionAlive', ...envelope, clientProgress: 10 },
  update: {
    type: 'UpdateUpdateSession',
    ...envelope,
    warningBehavior: [{ type: 'SELF_SIGNED_CERTIFICATE', ignored: true }],
  },
  complete: { type: 'CompleteUpdateSession', ...envelope, completionTimeoutSeconds: 3_600 },
  cancel: { type: 'CancelUpdateSession', ...envelope, reason: 'CLIENT' },
  fail: { type: 'FailUpdateSession', ...envelope, clientErrorMessage: 'client gave up' },
};

const terminal: Record<string, readonly UpdateSessionEvent[]> = {
  DONE: [sessionCreated(), sessionCompleted()],
  ERROR: [sessionCreated(), sessionFailed()],
  CANCELED: [sessionCreated(), sessionCanceled()],
};

describe('update session decider (contract §8.1)', () => {
  describe('create', () => {
    const create = (
      overrides: Partial<Extract<UpdateSessionCommand, { type: 'CreateUpdateSession' }>> = {},
    ) =>
      ({
        type: 'CreateUpdateSession',
        ...envelope,
        now: T0,
        item: { id: ITEM_ID, libraryId: LIBRARY_ID, contentVersion: 1, files: [] },
        warningBehavior: [],
        ...overrides,
      }) as UpdateSessionCommand;

    it('opens an ACTIVE session that expires one timeout later', () => {
      spec.given([]).when(create()).then([sessionCreated()]);
    });

    it('records the client token and the warning behaviour', () => {
      const warningBehavior = [{ type: 'EXPIRED_CERTIFICATE', ignored: true }] as const;
      spec
        .given([])
        .when(create({ clientToken: 'c2a1e7d4-6f0b-4b8e-9b53-7b0f4c2d9e01', warningBehavior }))
        .then([
          sessionCreated({ clientToken: 'c2a1e7d4-6f0b-4b8e-9b53-7b0f4c2d9e01', warningBehavior }),
        ]);
    });

    it('is a no-op when repeated with the same client token', () => {
      const token = 'c2a1e7d4-6f0b-4b8e-9b53-7b0f4c2d9e01';
      spec
        .given([sessionCreated({ clientToken: token })])
        .when(create({ clientToken: token }))
        .thenNothingHappened();
    });

    it('refuses to reuse an existing session id without the same token', () => {
      spec.given([sessionCreated()]).when(create()).thenThrows('ALREADY_EXISTS');
    });
  });

  describe('when ACTIVE', () => {
    it('keep_alive extends the expiry and records progress', () => {
      spec
        .given([sessionCreated()])
        .when(operations.keep_alive!)
        .then([sessionKeptAlive({ clientProgress: 10, expiresAt: LATER })]);
    });

    it('update replaces the warning behaviour', () => {
      spec
        .given([sessionCreated()])
        .when(operations.update!)
        .then([
          {
            type: 'UpdateSessionWarningBehaviorUpdated',
            data: {
              sessionId: SESSION_ID,
              warningBehavior: [{ type: 'SELF_SIGNED_CERTIFICATE', ignored: true }],
              expiresAt: LATER,
            },
          },
        ]);
    });

    it('update without warning_behavior keeps the stored list', () => {
      const warningBehavior = [{ type: 'UNTRUSTED_CERTIFICATE', ignored: false }] as const;
      spec
        .given([sessionCreated({ warningBehavior })])
        .when({ type: 'UpdateUpdateSession', ...envelope })
        .then([
          {
            type: 'UpdateSessionWarningBehaviorUpdated',
            data: { sessionId: SESSION_ID, warningBehavior, expiresAt: LATER },
          },
        ]);
    });

    it('complete moves to DONE (a session without files bumps nothing)', () => {
      spec
        .given([sessionCreated()])
        .when(operations.complete!)
        .then([sessionCompleted(NOW)]);
    });

    it('cancel moves to CANCELED', () => {
      spec
        .given([sessionCreated()])
        .when(operations.cancel!)
        .then([sessionCanceled(NOW)]);
    });

    it('fail moves to ERROR carrying the client text', () => {
      spec
        .given([sessionCreated()])
        .when(operations.fail!)
        .then([sessionFailed(NOW, 'client gave up')]);
    });

    it('delete is refused: cancel or complete first', () => {
      spec
        .given([sessionCreated()])
        .when({ type: 'DeleteUpdateSession', ...envelope })
        .thenThrows(
          'NOT_ALLOWED_IN_CURRENT_STATE',
          'com.vmware.vdcs.cls-main.invalid_session_state',
        );
    });
  });

  describe.each(Object.entries(terminal))('when %s', (state, history) => {
    it.each(Object.entries(operations))(
      '%s is not_allowed_in_current_state with [operation, state] args',
      (operation, command) => {
        const error = spec.given(history).when(command).thenThrows('NOT_ALLOWED_IN_CURRENT_STATE');
        expect(error.messages[0]?.args.slice(0, 2)).toEqual([operation, state]);
      },
    );

    it('delete removes the session', () => {
      spec
        .given(history)
        .when({ type: 'DeleteUpdateSession', ...envelope })
        .then([sessionDeleted(NOW)]);
    });
  });

  it('complete in ERROR repeats the cause in the reason argument', () => {
    const error = spec
      .given(terminal.ERROR!)
      .when(operations.complete!)
      .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE');
    expect(error.messages[0]?.args).toEqual([
      'complete',
      'ERROR',
      expect.stringContaining('disk full'),
    ]);
  });

  describe('when deleted or never created', () => {
    const deletion: UpdateSessionCommand = { type: 'DeleteUpdateSession', ...envelope };
    it.each([...Object.values(operations), deletion])('$type is not_found', (command) => {
      spec.given([]).when(command).thenThrows('NOT_FOUND');
      spec
        .given([...terminal.DONE!, sessionDeleted()])
        .when(command)
        .thenThrows('NOT_FOUND');
    });
  });

  describe('ownership', () => {
    it('another user sees not_found', () => {
      spec
        .given([sessionCreated()])
        .when({ ...operations.complete!, caller: bob })
        .thenThrows('NOT_FOUND');
    });

    it('an administrator may operate any session', () => {
      spec
        .given([sessionCreated()])
        .when({ ...operations.cancel!, caller: admin })
        .then([sessionCanceled(NOW)]);
    });
  });

  describe('client progress (contract §10.6)', () => {
    it.each([
      [0, 40, 40],
      [40, 10, 40],
      [40, 150, 100],
      [40, -5, 40],
      [40, undefined, 40],
      [40, Number.NaN, 40],
    ])('from %p reporting %p gives %p', (current, reported, expected) => {
      expect(nextClientProgress(current, reported)).toBe(expected);
    });

    it('a lower value still extends the session', () => {
      spec
        .given([sessionCreated(), sessionKeptAlive({ clientProgress: 50 })])
        .when({ type: 'KeepUpdateSessionAlive', ...envelope, clientProgress: 20 })
        .then([sessionKeptAlive({ clientProgress: 50, expiresAt: LATER })]);
    });
  });

  describe('expiry (contract §8.1, §8.5; asked, not told)', () => {
    const created = sessionCreated(); // expires at T0 + TIMEOUT
    const deadline = addSeconds(T0, TIMEOUT);

    it('expires an idle ACTIVE session at its deadline, keeping it CANCELED for one more timeout', () => {
      spec
        .given([created])
        .when(expireSession(deadline))
        .then([
          {
            type: 'UpdateSessionExpired',
            data: {
              sessionId: SESSION_ID,
              expiredAt: deadline,
              expiresAt: addSeconds(deadline, TIMEOUT),
            },
          },
        ]);
    });

    it('does nothing before the deadline', () => {
      spec
        .given([created])
        .when(expireSession(addSeconds(deadline, -1)))
        .thenNothingHappened();
    });

    it('does nothing when a keep-alive moved the deadline since the job was planned', () => {
      spec
        .given([created, sessionKeptAlive({ expiresAt: addSeconds(deadline, 60) })])
        .when(expireSession(deadline))
        .thenNothingHappened();
    });

    it('does nothing while upload activity (not an event) keeps the session alive', () => {
      spec
        .given([created])
        .when(expireSession(deadline, addSeconds(deadline, 5)))
        .thenNothingHappened();
    });

    it.each(Object.entries(terminal))(
      'purges a %s session once its retention ended',
      (_state, history) => {
        spec
          .given(history)
          .when(expireSession(addSeconds(T0, TIMEOUT)))
          .then([
            {
              type: 'UpdateSessionPurged',
              data: { sessionId: SESSION_ID, libraryItemId: ITEM_ID, purgedAt: deadline },
            },
          ]);
      },
    );

    it('keeps a finished session during its retention', () => {
      spec
        .given(terminal.DONE!)
        .when(expireSession(addSeconds(deadline, -1)))
        .thenNothingHappened();
    });

    it('is a no-op on unknown, deleted and purged sessions', () => {
      spec.given([]).when(expireSession(deadline)).thenNothingHappened();
      spec
        .given([created, sessionCanceled(), sessionDeleted()])
        .when(expireSession(deadline))
        .thenNothingHappened();
      const purged: UpdateSessionEvent = {
        type: 'UpdateSessionPurged',
        data: { sessionId: SESSION_ID, libraryItemId: ITEM_ID, purgedAt: deadline },
      };
      spec
        .given([created, sessionCanceled(), purged])
        .when(expireSession(addSeconds(deadline, 3600)))
        .thenNothingHappened();
    });

    it('an expired session refuses every operation as CANCELED', () => {
      spec
        .given([
          created,
          {
            type: 'UpdateSessionExpired',
            data: { sessionId: SESSION_ID, expiredAt: deadline, expiresAt: LATER },
          },
        ])
        .when(operations.keep_alive!)
        .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE');
    });
  });
});
