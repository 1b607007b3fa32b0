import type {
  AddUpdateSessionFile,
  ChecksumAlgorithm,
  DomainError,
  FailUpdateSessionFileTransfer,
  Message,
  RecordUpdateSessionFileReceived,
  RemoveUpdateSessionFile,
  SessionFile,
  StartUpdateSessionFileTransfer,
  UpdateSessionCommand,
  UpdateSessionEvent,
  SourceWarning,
  UpdateSessionState,
} from '@cls/domain';
import {
  addSeconds,
  CHECKSUM_ALGORITHMS,
  fold,
  MAX_FILE_SIZE,
  message,
  nextExpiryCheck,
  SYSTEM_CALLER,
  updateSessionDecider,
  validateUpdateSession,
} from '@cls/domain';
import {
  ABC_DIGESTS,
  admin,
  alice,
  bob,
  deciderSpecification,
  EMPTY_DIGESTS,
  FILE_NAME,
  fileAdded,
  fileReceived,
  fileRemoved,
  fileTransferFailed,
  fileTransferStarted,
  ITEM_ID,
  OTHER_TRANSFER_ID,
  SESSION_ID,
  sessionCanceled,
  sessionCompleted,
  sessionCreated,
  sessionDeleted,
  sessionFailed,
  storedFile,
  T0,
  TIMEOUT,
  TRANSFER_ID,
  expireSession,
} from '@cls/testing';

const spec = deciderSpecification(updateSessionDecider);
const NOW = '2026-11-23T10:02:00.000Z';
const LATER = addSeconds(NOW, TIMEOUT);
const envelope = { sessionId: SESSION_ID, caller: alice, now: NOW, timeoutSeconds: TIMEOUT };
const CLS = 'com.vmware.vdcs.cls-main';

function add(overrides: Partial<AddUpdateSessionFile> = {}): AddUpdateSessionFile {
  return {
    type: 'AddUpdateSessionFile',
    ...envelope,
    name: FILE_NAME,
    sourceType: 'PUSH',
    transferId: TRANSFER_ID,
    ...overrides,
  };
}

function remove(name = FILE_NAME): RemoveUpdateSessionFile {
  return { type: 'RemoveUpdateSessionFile', ...envelope, name };
}

function start(
  overrides: Partial<StartUpdateSessionFileTransfer> = {},
): StartUpdateSessionFileTransfer {
  return {
    type: 'StartUpdateSessionFileTransfer',
    ...envelope,
    name: FILE_NAME,
    transferId: TRANSFER_ID,
    ...overrides,
  };
}

function received(
  overrides: Partial<RecordUpdateSessionFileReceived> = {},
): RecordUpdateSessionFileReceived {
  return {
    type: 'RecordUpdateSessionFileReceived',
    ...envelope,
    name: FILE_NAME,
    transferId: TRANSFER_ID,
    size: 1024,
    digests: { SHA1: EMPTY_DIGESTS.SHA1 },
    ...overrides,
  };
}

const connectionLost = message(`${CLS}.file_transfer_failed`, 'The connection closed early.');

function failTransfer(
  overrides: Partial<FailUpdateSessionFileTransfer> = {},
): FailUpdateSessionFileTransfer {
  return {
    type: 'FailUpdateSessionFileTransfer',
    ...envelope,
    name: FILE_NAME,
    transferId: TRANSFER_ID,
    reason: connectionLost,
    ...overrides,
  };
}

const complete: UpdateSessionCommand = {
  type: 'CompleteUpdateSession',
  ...envelope,
  completionTimeoutSeconds: 3_600,
};

function stateAfter(history: readonly UpdateSessionEvent[]): UpdateSessionState {
  return fold(updateSessionDecider.evolve, updateSessionDecider.initialState(), history);
}

/** The session's file list after the history, whatever the session's status. */
function filesAfter(history: readonly UpdateSessionEvent[]): Readonly<Record<string, SessionFile>> {
  const state = stateAfter(history);
  if (state.status === 'EMPTY' || state.status === 'DELETED')
    throw new Error(`no session after history (status ${state.status})`);
  return state.files;
}

/** Decides the command on the history, then folds the resulting events in too. */
function historyAfter(
  history: readonly UpdateSessionEvent[],
  command: UpdateSessionCommand,
): UpdateSessionEvent[] {
  const events = updateSessionDecider.decide(command, stateAfter(history));
  return [...history, ...events];
}

function thrownBy(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected an error, nothing was thrown');
}

const terminal: Record<string, readonly UpdateSessionEvent[]> = {
  DONE: [sessionCreated(), sessionCompleted()],
  ERROR: [sessionCreated(), sessionFailed()],
  CANCELED: [sessionCreated(), sessionCanceled()],
};

const withPushFile = [sessionCreated(), fileAdded()];

describe('update session files (contract §4.3, §4.4, §7.1, §8.1)', () => {
  describe('add', () => {
    it('declares a PUSH file waiting for its bytes, refreshing the session expiry', () => {
      spec
        .given([sessionCreated()])
        .when(add())
        .then([fileAdded({ expiresAt: LATER })]);
    });

    it('records the declared size and the expected checksum in lower case', () => {
      spec
        .given([sessionCreated()])
        .when(
          add({
            declaredSize: 1024,
            expectedChecksum: { algorithm: 'SHA256', checksum: EMPTY_DIGESTS.SHA256.toUpperCase() },
          }),
        )
        .then([
          fileAdded({
            declaredSize: 1024,
            expectedChecksum: { algorithm: 'SHA256', checksum: EMPTY_DIGESTS.SHA256 },
            expiresAt: LATER,
          }),
        ]);
    });

    it('carries the transfer id it was given', () => {
      spec
        .given([sessionCreated()])
        .when(add({ transferId: OTHER_TRANSFER_ID }))
        .then([fileAdded({ transferId: OTHER_TRANSFER_ID, expiresAt: LATER })]);
    });

    it.each([
      'http://example.com/images/ubuntu.iso',
      'https://example.com/images/ubuntu.iso',
      'HTTPS://example.com/images/ubuntu.iso',
      'file:///srv/images/ubuntu.iso',
      'ds:///vmfs/volumes/datastore1/images/ubuntu.iso',
    ])('declares a PULL file from %s', (uri) => {
      spec
        .given([sessionCreated()])
        .when(add({ sourceType: 'PULL', sourceEndpoint: { uri } }))
        .then([fileAdded({ sourceType: 'PULL', sourceEndpoint: { uri }, expiresAt: LATER })]);
    });

    it('keeps the thumbprint of a PULL source', () => {
      const sourceEndpoint = {
        uri: 'https://example.com/a.iso',
        sslCertificateThumbprint: '18:EC:4C:8C:2C:A1:0B:6D:36:65:C5:6B:51:4F:6F:1B:D0:4B:4F:5D',
      };
      spec
        .given([sessionCreated()])
        .when(add({ sourceType: 'PULL', sourceEndpoint }))
        .then([fileAdded({ sourceType: 'PULL', sourceEndpoint, expiresAt: LATER })]);
    });

    describe('file names', () => {
      it.each([
        ['empty', ''],
        ['a slash', 'a/b'],
        ['a backslash', 'a\\b'],
        ['dot dot', '..'],
        ['dot', '.'],
        ['embedded dot dot', 'x..y'],
        ['NUL', 'bad\u0000'],
        ['a tab', 'tab\tname'],
        ['a newline', 'line\nbreak'],
        ['DEL', 'del\u007f'],
        ['256 ASCII bytes', 'a'.repeat(256)],
        ['256 UTF-8 bytes in 128 characters', 'é'.repeat(128)],
      ])('refuses a name with %s as invalid_argument', (_, name) => {
        const error = spec
          .given([sessionCreated()])
          .when(add({ name }))
          .thenThrows('INVALID_ARGUMENT', `${CLS}.invalid_argument`);
        expect(error.messages[0]?.args[0]).toBe('file name');
      });

      it.each([
        ['255 ASCII bytes', 'a'.repeat(255)],
        ['255 UTF-8 bytes with multi-byte characters', 'é'.repeat(127) + 'a'],
        ['a single character', 'x'],
        ['dots that are not ".."', '.hidden.tar.gz'],
        ['spaces and unicode', 'Ubuntu Server 24.04 – ä.iso'],
      ])('accepts a name of %s', (_, name) => {
        spec
          .given([sessionCreated()])
          .when(add({ name }))
          .then([fileAdded({ name, expiresAt: LATER })]);
      });
    });

    describe('sources', () => {
      it.each<[string, Partial<AddUpdateSessionFile>, string]>([
        ['source_type NONE', { sourceType: 'NONE' }, 'file_spec.source_type'],
        ['PULL without a source endpoint', { sourceType: 'PULL' }, 'file_spec.source_endpoint'],
        [
          'PULL from ftp://',
          { sourceType: 'PULL', sourceEndpoint: { uri: 'ftp://example.com/a.iso' } },
          'file_spec.source_endpoint.uri',
        ],
        [
          'PULL from a string that is no URI',
          { sourceType: 'PULL', sourceEndpoint: { uri: 'not a uri at all' } },
          'file_spec.source_endpoint.uri',
        ],
        [
          'PULL from an empty URI',
          { sourceType: 'PULL', sourceEndpoint: { uri: '' } },
          'file_spec.source_endpoint.uri',
        ],
        [
          'PUSH with a source endpoint',
          { sourceType: 'PUSH', sourceEndpoint: { uri: 'https://example.com/a.iso' } },
          'file_spec.source_endpoint',
        ],
      ])('refuses %s as invalid_argument', (_, overrides, field) => {
        const error = spec
          .given([sessionCreated()])
          .when(add(overrides))
          .thenThrows('INVALID_ARGUMENT', `${CLS}.invalid_argument`);
        expect(error.messages[0]?.args[0]).toBe(field);
      });
    });

    describe('declared size', () => {
      it.each([-1, 1.5, MAX_FILE_SIZE + 1, Number.NaN, Number.POSITIVE_INFINITY])(
        'refuses %p as invalid_argument',
        (declaredSize) => {
          const error = spec
            .given([sessionCreated()])
            .when(add({ declaredSize }))
            .thenThrows('INVALID_ARGUMENT');
          expect(error.messages[0]?.args[0]).toBe('file_spec.size');
        },
      );

      it('allows 64 TiB (2**46) exactly', () => {
        expect(MAX_FILE_SIZE).toBe(2 ** 46);
        spec
          .given([sessionCreated()])
          .when(add({ declaredSize: 2 ** 46 }))
          .then([fileAdded({ declaredSize: 2 ** 46, expiresAt: LATER })]);
      });

      it('allows an empty file', () => {
        spec
          .given([sessionCreated()])
          .when(add({ declaredSize: 0 }))
          .then([fileAdded({ declaredSize: 0, expiresAt: LATER })]);
      });
    });

    describe('checksum', () => {
      it('refuses an unknown algorithm as invalid_argument', () => {
        const error = spec
          .given([sessionCreated()])
          .when(
            add({
              expectedChecksum: {
                algorithm: 'CRC32' as ChecksumAlgorithm,
                checksum: 'cbf43926',
              },
            }),
          )
          .thenThrows('INVALID_ARGUMENT', `${CLS}.invalid_argument`);
        expect(error.messages[0]?.args[0]).toBe('checksum_info.algorithm');
      });

      it.each(CHECKSUM_ALGORITHMS)('accepts a well-formed %s digest', (algorithm) => {
        spec
          .given([sessionCreated()])
          .when(add({ expectedChecksum: { algorithm, checksum: EMPTY_DIGESTS[algorithm] } }))
          .then([
            fileAdded({
              expectedChecksum: { algorithm, checksum: EMPTY_DIGESTS[algorithm] },
              expiresAt: LATER,
            }),
          ]);
      });

      describe.each(CHECKSUM_ALGORITHMS)('%s', (algorithm) => {
        const good = EMPTY_DIGESTS[algorithm];
        it.each([
          ['one hex digit short', good.slice(1)],
          ['one hex digit long', `${good}0`],
          ['a non-hex character', `g${good.slice(1)}`],
          ['empty', ''],
          [
            'a digest of another algorithm',
            algorithm === 'MD5' ? EMPTY_DIGESTS.SHA1 : EMPTY_DIGESTS.MD5,
          ],
          ['surrounding spaces', ` ${good} `],
        ])('refuses a checksum %s as invalid_argument', (_, checksum) => {
          const error = spec
            .given([sessionCreated()])
            .when(add({ expectedChecksum: { algorithm, checksum } }))
            .thenThrows('INVALID_ARGUMENT', `${CLS}.invalid_argument`);
          expect(error.messages[0]?.args[0]).toBe('checksum_info.checksum');
        });
      });
    });

    describe('replacing an entry of the same name (§4.3 add)', () => {
      it('replaces a snapshot file with a new PUSH entry', () => {
        const history = [sessionCreated({ snapshot: [storedFile()] })];
        spec
          .given(history)
          .when(add({ transferId: OTHER_TRANSFER_ID }))
          .then([fileAdded({ transferId: OTHER_TRANSFER_ID, expiresAt: LATER })]);

        const files = filesAfter(historyAfter(history, add({ transferId: OTHER_TRANSFER_ID })));
        expect(files[FILE_NAME]).toEqual({
          name: FILE_NAME,
          sourceType: 'PUSH',
          status: 'WAITING_FOR_TRANSFER',
          transferId: OTHER_TRANSFER_ID,
        });
      });

      it('replaces an earlier add that was already received', () => {
        const history = [
          sessionCreated(),
          fileAdded({ declaredSize: 1024 }),
          fileTransferStarted(),
          fileReceived(),
        ];
        expect(filesAfter(history)[FILE_NAME]?.status).toBe('READY');

        const replaced = historyAfter(history, add({ transferId: OTHER_TRANSFER_ID }));
        expect(filesAfter(replaced)[FILE_NAME]).toEqual({
          name: FILE_NAME,
          sourceType: 'PUSH',
          status: 'WAITING_FOR_TRANSFER',
          transferId: OTHER_TRANSFER_ID,
        });
      });

      it('replaces a PUSH entry with a PULL one', () => {
        const sourceEndpoint = { uri: 'https://example.com/a.iso' };
        const replaced = historyAfter(
          withPushFile,
          add({ sourceType: 'PULL', sourceEndpoint, transferId: OTHER_TRANSFER_ID }),
        );
        expect(filesAfter(replaced)[FILE_NAME]).toMatchObject({
          sourceType: 'PULL',
          sourceEndpoint,
          status: 'WAITING_FOR_TRANSFER',
          transferId: OTHER_TRANSFER_ID,
        });
      });

      it('leaves the other files alone', () => {
        const other = storedFile({ name: 'other.txt' });
        const replaced = historyAfter(
          [sessionCreated({ snapshot: [storedFile(), other] })],
          add({ transferId: OTHER_TRANSFER_ID }),
        );
        expect(filesAfter(replaced)['other.txt']).toEqual({
          name: 'other.txt',
          sourceType: 'NONE',
          status: 'READY',
          size: other.size,
          digests: other.digests,
          storageKey: other.storageKey,
        });
      });
    });

    describe.each(Object.entries(terminal))('when %s', (state, history) => {
      it('is not_allowed_in_current_state with [add, state] args', () => {
        const error = spec
          .given(history)
          .when(add())
          .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE', `${CLS}.invalid_session_state`);
        expect(error.messages[0]?.args.slice(0, 2)).toEqual(['add', state]);
      });
    });

    it('is not_found for another user and on a deleted session', () => {
      spec
        .given([sessionCreated()])
        .when({ ...add(), caller: bob })
        .thenThrows('NOT_FOUND');
      spec
        .given([...terminal.DONE!, sessionDeleted()])
        .when(add())
        .thenThrows('NOT_FOUND');
      spec.given([]).when(add()).thenThrows('NOT_FOUND');
    });

    it('an administrator may add to any session', () => {
      spec
        .given([sessionCreated()])
        .when({ ...add(), caller: admin })
        .then([fileAdded({ expiresAt: LATER })]);
    });
  });

  describe('remove', () => {
    it('removes a file added in the session', () => {
      spec
        .given(withPushFile)
        .when(remove())
        .then([fileRemoved({ expiresAt: LATER })]);
    });

    it('removes a snapshot file', () => {
      spec
        .given([sessionCreated({ snapshot: [storedFile()] })])
        .when(remove())
        .then([fileRemoved({ expiresAt: LATER })]);
    });

    it('refuses an unknown name with invalid_argument (not not_found)', () => {
      const error = spec
        .given(withPushFile)
        .when(remove('nope.iso'))
        .thenThrows('INVALID_ARGUMENT', `${CLS}.invalid_argument`);
      expect(error.messages[0]?.defaultMessage).toContain('nope.iso');
    });

    it('refuses a name that was already removed', () => {
      spec
        .given([...withPushFile, fileRemoved()])
        .when(remove())
        .thenThrows('INVALID_ARGUMENT');
    });

    describe.each(Object.entries(terminal))('when %s', (state, history) => {
      it('is not_allowed_in_current_state with [remove, state] args', () => {
        const error = spec.given(history).when(remove()).thenThrows('NOT_ALLOWED_IN_CURRENT_STATE');
        expect(error.messages[0]?.args.slice(0, 2)).toEqual(['remove', state]);
      });
    });
  });

  describe('start of a transfer', () => {
    it('moves a waiting file to TRANSFERRING', () => {
      spec
        .given(withPushFile)
        .when(start())
        .then([fileTransferStarted({ expiresAt: LATER })]);
    });

    it('is a no-op when the file is already TRANSFERRING', () => {
      spec
        .given([...withPushFile, fileTransferStarted()])
        .when(start())
        .thenNothingHappened();
    });

    it('refuses a file that is already READY (add it again to replace it)', () => {
      const error = spec
        .given([...withPushFile, fileTransferStarted(), fileReceived()])
        .when(start())
        .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE', `${CLS}.update_session_file_already_received`);
      expect(error.messages[0]?.args).toEqual([FILE_NAME]);
    });

    it('is not_found for the transfer of a replaced entry', () => {
      spec
        .given([...withPushFile, fileAdded({ transferId: OTHER_TRANSFER_ID })])
        .when(start({ transferId: TRANSFER_ID }))
        .thenThrows('NOT_FOUND', `${CLS}.file_not_found`);
    });

    it('is not_found for a removed or never added file', () => {
      spec
        .given([...withPushFile, fileRemoved()])
        .when(start())
        .thenThrows('NOT_FOUND', `${CLS}.file_not_found`);
      spec
        .given([sessionCreated()])
        .when(start({ name: 'nope.iso' }))
        .thenThrows('NOT_FOUND');
    });

    it('is not_found for a snapshot file, which has no transfer', () => {
      spec
        .given([sessionCreated({ snapshot: [storedFile()] })])
        .when(start())
        .thenThrows('NOT_FOUND');
    });

    describe.each(Object.entries(terminal))('when %s', (state, history) => {
      it('is refused', () => {
        const error = spec
          .given([...history.slice(0, 1), fileAdded(), ...history.slice(1)])
          .when(start())
          .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE');
        expect(error.messages[0]?.args.slice(0, 2)).toEqual(['upload', state]);
      });
    });
  });

  describe('receipt of a file', () => {
    const declared = [
      sessionCreated(),
      fileAdded({
        declaredSize: 1024,
        expectedChecksum: { algorithm: 'SHA1', checksum: EMPTY_DIGESTS.SHA1 },
      }),
      fileTransferStarted(),
    ];

    it('makes the file READY when size and checksum match', () => {
      spec
        .given(declared)
        .when(received())
        .then([fileReceived({ expiresAt: LATER })]);
    });

    it('records every digest the transport measured', () => {
      const digests = { SHA1: EMPTY_DIGESTS.SHA1, SHA256: EMPTY_DIGESTS.SHA256 };
      spec
        .given(declared)
        .when(received({ digests }))
        .then([fileReceived({ digests, expiresAt: LATER })]);
    });

    it('accepts a file that never reported its start', () => {
      spec
        .given(declared.slice(0, 2))
        .when(received())
        .then([fileReceived({ expiresAt: LATER })]);
    });

    it.each([0, 1, 1024, 5 * 2 ** 30])(
      'accepts any size (%p) when nothing was declared',
      (size) => {
        spec
          .given(withPushFile)
          .when(received({ size, digests: { SHA1: ABC_DIGESTS.SHA1 } }))
          .then([fileReceived({ size, digests: { SHA1: ABC_DIGESTS.SHA1 }, expiresAt: LATER })]);
      },
    );

    describe('with a size other than declared', () => {
      const command = received({ size: 1000 });

      it('fails the file and the whole session (§7.1)', () => {
        const events = updateSessionDecider.decide(command, stateAfter(declared));
        expect(events.map((event) => event.type)).toEqual([
          'UpdateSessionFileTransferFailed',
          'UpdateSessionFailed',
        ]);
        expect(events[0]).toEqual(
          fileTransferFailed({
            errorMessage: {
              id: `${CLS}.file_size_mismatch`,
              defaultMessage: expect.any(String),
              args: [FILE_NAME, '1024', '1000'],
            },
            expiresAt: LATER,
          }),
        );
        expect(events[1]).toEqual({
          type: 'UpdateSessionFailed',
          data: {
            sessionId: SESSION_ID,
            errorMessage: {
              id: `${CLS}.update_session_import_failed`,
              defaultMessage: expect.any(String),
              args: [ITEM_ID, expect.any(String)],
            },
            failedAt: NOW,
            expiresAt: LATER,
          },
        });
      });

      it('names the file and both sizes in the short and the long message', () => {
        const [fileFailure, sessionFailure] = updateSessionDecider.decide(
          command,
          stateAfter(declared),
        );
        const short = (fileFailure?.data as { errorMessage: Message }).errorMessage;
        const long = (sessionFailure?.data as { errorMessage: Message }).errorMessage;
        for (const text of [short.defaultMessage, long.defaultMessage]) {
          expect(text).toContain(FILE_NAME);
          expect(text).toContain('1024');
          expect(text).toContain('1000');
        }
        expect(long.defaultMessage).toContain(ITEM_ID);
        expect(long.args[1]).toBe(short.defaultMessage);
      });

      it('leaves the file and the session in ERROR; complete then repeats the cause', () => {
        const failed = historyAfter(declared, command);
        const state = stateAfter(failed);
        expect(state.status).toBe('ERROR');
        expect(filesAfter(failed)[FILE_NAME]).toMatchObject({
          status: 'ERROR',
          errorMessage: { id: `${CLS}.file_size_mismatch` },
        });

        const error = spec
          .given(failed)
          .when(complete)
          .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE', `${CLS}.invalid_session_state`);
        expect(error.messages[0]?.args).toEqual([
          'complete',
          'ERROR',
          expect.stringContaining(FILE_NAME),
        ]);
      });

      it('fails a file declared as 0 bytes that received 1 byte', () => {
        const events = updateSessionDecider.decide(
          received({ size: 1 }),
          stateAfter([sessionCreated(), fileAdded({ declaredSize: 0 })]),
        );
        expect(events.map((event) => event.type)).toEqual([
          'UpdateSessionFileTransferFailed',
          'UpdateSessionFailed',
        ]);
      });
    });

    describe.each(CHECKSUM_ALGORITHMS)('with a %s checksum mismatch', (algorithm) => {
      const history = [
        sessionCreated(),
        fileAdded({ expectedChecksum: { algorithm, checksum: EMPTY_DIGESTS[algorithm] } }),
        fileTransferStarted(),
      ];
      const command = received({ digests: { ...ABC_DIGESTS } });

      it('fails the file and the session, naming algorithm, expected and received digests', () => {
        const [fileFailure, sessionFailure, ...rest] = updateSessionDecider.decide(
          command,
          stateAfter(history),
        );
        expect(rest).toEqual([]);
        expect(fileFailure).toEqual(
          fileTransferFailed({
            errorMessage: {
              id: `${CLS}.file_checksum_mismatch`,
              defaultMessage: expect.any(String),
              args: [FILE_NAME, algorithm, EMPTY_DIGESTS[algorithm], ABC_DIGESTS[algorithm]],
            },
            expiresAt: LATER,
          }),
        );
        expect(sessionFailure?.type).toBe('UpdateSessionFailed');
        const short = (fileFailure?.data as { errorMessage: Message }).errorMessage;
        const long = (sessionFailure?.data as { errorMessage: Message }).errorMessage;
        for (const text of [short.defaultMessage, long.defaultMessage]) {
          expect(text).toContain(FILE_NAME);
          expect(text).toContain(algorithm);
          expect(text).toContain(EMPTY_DIGESTS[algorithm]);
          expect(text).toContain(ABC_DIGESTS[algorithm]);
        }
      });

      it('matches a checksum that was declared in upper case', () => {
        const upper = historyAfter(
          [sessionCreated()],
          add({
            expectedChecksum: { algorithm, checksum: EMPTY_DIGESTS[algorithm].toUpperCase() },
          }),
        );
        spec
          .given(upper)
          .when(received({ digests: { ...EMPTY_DIGESTS } }))
          .then([fileReceived({ digests: { ...EMPTY_DIGESTS }, expiresAt: LATER })]);
      });

      it('fails when the transport did not measure that algorithm', () => {
        const others = Object.fromEntries(
          Object.entries(EMPTY_DIGESTS).filter(([name]) => name !== algorithm),
        );
        const events = updateSessionDecider.decide(
          received({ digests: others }),
          stateAfter(history),
        );
        expect(events.map((event) => event.type)).toEqual([
          'UpdateSessionFileTransferFailed',
          'UpdateSessionFailed',
        ]);
      });
    });

    it('checks the size before the checksum', () => {
      const [fileFailure] = updateSessionDecider.decide(
        received({ size: 1000, digests: { SHA1: ABC_DIGESTS.SHA1 } }),
        stateAfter(declared),
      );
      expect((fileFailure?.data as { errorMessage: Message }).errorMessage.id).toBe(
        `${CLS}.file_size_mismatch`,
      );
    });

    it('refuses a second receipt of a READY file', () => {
      spec
        .given([...declared, fileReceived()])
        .when(received())
        .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE', `${CLS}.update_session_file_already_received`);
    });

    it('is not_found for the transfer of a replaced entry', () => {
      spec
        .given([...declared, fileAdded({ transferId: OTHER_TRANSFER_ID })])
        .when(received())
        .thenThrows('NOT_FOUND', `${CLS}.file_not_found`);
    });

    it('is refused once the session has failed', () => {
      spec
        .given([...declared, sessionFailed()])
        .when(received())
        .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE');
    });
  });

  describe('failure of a transfer', () => {
    it('fails the file and the session with the given reason', () => {
      spec
        .given([...withPushFile, fileTransferStarted()])
        .when(failTransfer())
        .then([
          fileTransferFailed({ errorMessage: connectionLost, expiresAt: LATER }),
          {
            type: 'UpdateSessionFailed',
            data: {
              sessionId: SESSION_ID,
              errorMessage: {
                id: `${CLS}.update_session_import_failed`,
                defaultMessage: `The import of library item ${ITEM_ID} has failed. Reason: ${connectionLost.defaultMessage}`,
                args: [ITEM_ID, connectionLost.defaultMessage],
              },
              failedAt: NOW,
              expiresAt: LATER,
            },
          },
        ]);
    });

    it('is not_found for the transfer of a replaced entry', () => {
      spec
        .given([...withPushFile, fileAdded({ transferId: OTHER_TRANSFER_ID })])
        .when(failTransfer())
        .thenThrows('NOT_FOUND');
    });

    it('leaves the session in ERROR so that complete is refused with the reason', () => {
      const failed = historyAfter([...withPushFile, fileTransferStarted()], failTransfer());
      const error = spec.given(failed).when(complete).thenThrows('NOT_ALLOWED_IN_CURRENT_STATE');
      expect(error.messages[0]?.args).toEqual([
        'complete',
        'ERROR',
        expect.stringContaining(connectionLost.defaultMessage),
      ]);
    });
  });

  describe('complete with files (§8.4)', () => {
    it('refuses a PUSH file still WAITING', () => {
      const error = spec
        .given(withPushFile)
        .when(complete)
        .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE', `${CLS}.update_session_file_not_received`);
      expect(error.messages[0]?.args).toEqual([FILE_NAME, 'WAITING']);
    });

    it('refuses a file still TRANSFERRING', () => {
      const error = spec
        .given([...withPushFile, fileTransferStarted()])
        .when(complete)
        .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE', `${CLS}.update_session_file_not_received`);
      expect(error.messages[0]?.args).toEqual([FILE_NAME, 'TRANSFERRING']);
    });

    describe('with PULL files in flight (§4.2: complete finishes in the background)', () => {
      const pullAdded = fileAdded({
        sourceType: 'PULL',
        sourceEndpoint: { uri: 'https://example.com/a.iso' },
      });
      const completeBy = addSeconds(NOW, 3_600);
      const requested: UpdateSessionEvent = {
        type: 'UpdateSessionCompletionRequested',
        data: { sessionId: SESSION_ID, requestedAt: NOW, completeBy, expiresAt: completeBy },
      };

      it.each([
        ['not fetched yet', [] as UpdateSessionEvent[]],
        ['TRANSFERRING', [fileTransferStarted()]],
      ])('accepts complete with a pull %s and records the request', (_label, progress) => {
        spec
          .given([sessionCreated(), pullAdded, ...progress])
          .when(complete)
          .then([requested]);
      });

      it('records the request once', () => {
        spec.given([sessionCreated(), pullAdded, requested]).when(complete).thenNothingHappened();
      });

      it('marks a pull that lands after the request, so the worker retries the completion', () => {
        spec
          .given([sessionCreated(), pullAdded, requested, fileTransferStarted()])
          .when(received())
          .then([fileReceived({ completionRequested: true, expiresAt: LATER })]);
      });

      it('still refuses when a pushed file is missing too', () => {
        spec
          .given([
            sessionCreated(),
            pullAdded,
            fileAdded({ name: 'pushed.bin', transferId: OTHER_TRANSFER_ID }),
          ])
          .when(complete)
          .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE', `${CLS}.update_session_file_not_received`);
      });

      it('completes when the worker repeats complete after the last pull landed', () => {
        spec
          .given([sessionCreated(), pullAdded, requested, fileTransferStarted(), fileReceived()])
          .when({ ...complete, caller: SYSTEM_CALLER })
          .then([sessionCompleted(NOW)]);
      });

      it('owes the work from then on: the client idle timeout no longer expires the session', () => {
        const idleDeadline = addSeconds(NOW, TIMEOUT * 2);
        spec
          .given([sessionCreated(), pullAdded, requested, fileTransferStarted()])
          .when(expireSession(idleDeadline))
          .thenNothingHappened();
        const state = stateAfter([sessionCreated(), pullAdded, requested, fileTransferStarted()]);
        expect(nextExpiryCheck(state, idleDeadline)).toBe(completeBy);
      });

      it('fails the session at the completion deadline, naming what never arrived, never CANCELED', () => {
        const [failed] = spec
          .given([sessionCreated(), pullAdded, requested, fileTransferStarted()])
          .when(expireSession(completeBy))
          .events();
        expect(failed).toMatchObject({
          type: 'UpdateSessionFailed',
          data: {
            failedAt: completeBy,
            expiresAt: addSeconds(completeBy, TIMEOUT),
            errorMessage: {
              id: `${CLS}.update_session_completion_timed_out`,
              args: [ITEM_ID, completeBy, FILE_NAME],
            },
          },
        });
      });

      it('takes a request recorded before completion deadlines existed as due at its expiresAt', () => {
        const legacy: UpdateSessionEvent = {
          type: 'UpdateSessionCompletionRequested',
          data: { sessionId: SESSION_ID, requestedAt: NOW, expiresAt: LATER },
        };
        expect(stateAfter([sessionCreated(), pullAdded, legacy])).toMatchObject({
          completeBy: LATER,
        });
      });

      it('keeps the session ACTIVE, with the request remembered', () => {
        const state = fold(updateSessionDecider.evolve, updateSessionDecider.initialState(), [
          sessionCreated(),
          pullAdded,
          requested,
        ]);
        expect(state).toMatchObject({ status: 'ACTIVE', completionRequested: true });
      });
    });

    describe('with certificate warnings (§5)', () => {
      const selfSigned: SourceWarning = {
        type: 'SELF_SIGNED_CERTIFICATE',
        message: message(
          'com.vmware.vdcs.cls-main.self_signed_certificate',
          'The certificate of 127.0.0.1 is self-signed (SHA-1 AA:BB).',
        ),
      };
      const pulledWithWarning = [
        sessionCreated(),
        fileAdded({ sourceType: 'PULL', sourceEndpoint: { uri: 'https://127.0.0.1/a.iso' } }),
        fileReceived({ warnings: [selfSigned] }),
      ];

      it('fails the session naming the warning when warning_behavior does not ignore it', () => {
        const [failed] = spec.given(pulledWithWarning).when(complete).events();
        expect(failed).toMatchObject({
          type: 'UpdateSessionFailed',
          data: {
            errorMessage: {
              id: `${CLS}.update_session_unignored_warnings`,
              defaultMessage: expect.stringContaining('self-signed (SHA-1 AA:BB)'),
            },
          },
        });
      });

      it('completes when warning_behavior ignores that type', () => {
        spec
          .given([
            sessionCreated({
              warningBehavior: [{ type: 'SELF_SIGNED_CERTIFICATE', ignored: true }],
            }),
            ...pulledWithWarning.slice(1),
          ])
          .when(complete)
          .then([sessionCompleted(NOW)]);
      });

      it('fails when only another type is ignored', () => {
        const events = spec
          .given([
            sessionCreated({
              warningBehavior: [{ type: 'EXPIRED_CERTIFICATE', ignored: true }],
            }),
            ...pulledWithWarning.slice(1),
          ])
          .when(complete)
          .events();
        expect(events.map((event) => event.type)).toEqual(['UpdateSessionFailed']);
      });

      it('forgets the warnings of a file replaced by a new add', () => {
        spec
          .given([
            ...pulledWithWarning,
            fileAdded({ transferId: OTHER_TRANSFER_ID }),
            fileReceived({ transferId: OTHER_TRANSFER_ID }),
          ])
          .when(complete)
          .then([sessionCompleted(NOW)]);
      });
    });

    it('names the first unreceived file in name order', () => {
      const error = spec
        .given([
          sessionCreated(),
          fileAdded({ name: 'b.iso' }),
          fileAdded({ name: 'a.iso', transferId: OTHER_TRANSFER_ID }),
          fileTransferStarted({ name: 'a.iso', transferId: OTHER_TRANSFER_ID }),
        ])
        .when(complete)
        .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE');
      expect(error.messages[0]?.args).toEqual(['a.iso', 'TRANSFERRING']);
    });

    it('completes when every added file is READY and the rest are untouched snapshot files', () => {
      spec
        .given([
          sessionCreated({ snapshot: [storedFile({ name: 'kept.txt' })] }),
          fileAdded(),
          fileTransferStarted(),
          fileReceived(),
        ])
        .when(complete)
        .then([sessionCompleted(NOW)]);
    });

    it('completes a session whose only changes were removals', () => {
      spec
        .given([
          sessionCreated({ snapshot: [storedFile(), storedFile({ name: 'kept.txt' })] }),
          fileRemoved(),
        ])
        .when(complete)
        .then([sessionCompleted(NOW)]);
    });

    it('completes when the unreceived file was removed again', () => {
      spec
        .given([...withPushFile, fileRemoved()])
        .when(complete)
        .then([sessionCompleted(NOW)]);
    });
  });

  describe('validate (§4.3)', () => {
    it('has no errors when every file is READY', () => {
      const history = [
        sessionCreated({ snapshot: [storedFile({ name: 'kept.txt' })] }),
        fileAdded(),
        fileReceived(),
      ];
      expect(validateUpdateSession(SESSION_ID, alice, stateAfter(history))).toEqual({
        hasErrors: false,
        missingFiles: [],
        invalidFiles: [],
      });
    });

    it('has no errors for a session without files', () => {
      expect(validateUpdateSession(SESSION_ID, alice, stateAfter([sessionCreated()]))).toEqual({
        hasErrors: false,
        missingFiles: [],
        invalidFiles: [],
      });
    });

    it('reports an unreceived file as invalid with update_session_file_not_received', () => {
      expect(validateUpdateSession(SESSION_ID, alice, stateAfter(withPushFile))).toEqual({
        hasErrors: true,
        missingFiles: [],
        invalidFiles: [
          {
            name: FILE_NAME,
            errorMessage: {
              id: `${CLS}.update_session_file_not_received`,
              defaultMessage: expect.stringContaining(FILE_NAME),
              args: [FILE_NAME, 'WAITING'],
            },
          },
        ],
      });
    });

    it('lists every invalid file in name order', () => {
      const history = [
        sessionCreated(),
        fileAdded({ name: 'b.iso' }),
        fileAdded({ name: 'a.iso', transferId: OTHER_TRANSFER_ID }),
        fileTransferStarted({ name: 'a.iso', transferId: OTHER_TRANSFER_ID }),
      ];
      const result = validateUpdateSession(SESSION_ID, alice, stateAfter(history));
      expect(result.hasErrors).toBe(true);
      expect(result.invalidFiles.map((file) => [file.name, file.errorMessage.args[1]])).toEqual([
        ['a.iso', 'TRANSFERRING'],
        ['b.iso', 'WAITING'],
      ]);
    });

    it('is not_found for another user, and open to an administrator', () => {
      const state = stateAfter([sessionCreated()]);
      expect(thrownBy(() => validateUpdateSession(SESSION_ID, bob, state))).toMatchObject({
        code: 'NOT_FOUND',
        messages: [{ id: `${CLS}.update_session_not_found` }],
      });
      expect(validateUpdateSession(SESSION_ID, admin, state).hasErrors).toBe(false);
    });

    it('is not_found on a deleted or unknown session', () => {
      expect(
        thrownBy(() =>
          validateUpdateSession(
            SESSION_ID,
            alice,
            stateAfter([...terminal.DONE!, sessionDeleted()]),
          ),
        ).code,
      ).toBe('NOT_FOUND');
      expect(thrownBy(() => validateUpdateSession(SESSION_ID, alice, stateAfter([]))).code).toBe(
        'NOT_FOUND',
      );
    });

    it.each(Object.entries(terminal))(
      'is not_allowed_in_current_state when %s',
      (state, history) => {
        const error = thrownBy(() => validateUpdateSession(SESSION_ID, alice, stateAfter(history)));
        expect(error.code).toBe('NOT_ALLOWED_IN_CURRENT_STATE');
        expect(error.messages[0]?.args.slice(0, 2)).toEqual(['validate', state]);
      },
    );
  });

  describe('evolve', () => {
    it('lists the snapshot files as untouched NONE/READY entries with size, digests and where they are stored (§4.4)', () => {
      const iso = storedFile({ size: 4096, digests: { SHA1: ABC_DIGESTS.SHA1 } });
      const text = storedFile({ name: 'readme.txt', size: 3, version: 4 });
      expect(filesAfter([sessionCreated({ snapshot: [iso, text] })])).toEqual({
        [FILE_NAME]: {
          name: FILE_NAME,
          sourceType: 'NONE',
          status: 'READY',
          size: 4096,
          digests: { SHA1: ABC_DIGESTS.SHA1 },
          storageKey: iso.storageKey,
        },
        'readme.txt': {
          name: 'readme.txt',
          sourceType: 'NONE',
          status: 'READY',
          size: 3,
          digests: text.digests,
          storageKey: text.storageKey,
        },
      });
    });

    it('adds a waiting entry with what was declared', () => {
      const expectedChecksum = { algorithm: 'MD5' as const, checksum: EMPTY_DIGESTS.MD5 };
      expect(
        filesAfter([sessionCreated(), fileAdded({ declaredSize: 7, expectedChecksum })]),
      ).toEqual({
        [FILE_NAME]: {
          name: FILE_NAME,
          sourceType: 'PUSH',
          status: 'WAITING_FOR_TRANSFER',
          transferId: TRANSFER_ID,
          declaredSize: 7,
          expectedChecksum,
        },
      });
    });

    it('walks a file through TRANSFERRING to READY with size and digests', () => {
      expect(filesAfter([...withPushFile, fileTransferStarted()])[FILE_NAME]?.status).toBe(
        'TRANSFERRING',
      );
      expect(
        filesAfter([...withPushFile, fileTransferStarted(), fileReceived({ size: 9 })])[FILE_NAME],
      ).toMatchObject({ status: 'READY', size: 9, digests: { SHA1: EMPTY_DIGESTS.SHA1 } });
    });

    it('drops the entry of a removed file, snapshot or added', () => {
      expect(filesAfter([sessionCreated({ snapshot: [storedFile()] }), fileRemoved()])).toEqual({});
      expect(filesAfter([...withPushFile, fileRemoved()])).toEqual({});
    });

    it('ignores the start of an outdated transfer', () => {
      const current = [...withPushFile, fileAdded({ transferId: OTHER_TRANSFER_ID })];
      const before = filesAfter(current)[FILE_NAME];
      expect(filesAfter([...current, fileTransferStarted()])[FILE_NAME]).toEqual(before);
    });

    it('ignores the receipt of an outdated transfer', () => {
      const current = [
        ...withPushFile,
        fileTransferStarted(),
        fileAdded({ transferId: OTHER_TRANSFER_ID }),
      ];
      const before = filesAfter(current)[FILE_NAME];
      expect(before?.status).toBe('WAITING_FOR_TRANSFER');
      expect(filesAfter([...current, fileReceived()])[FILE_NAME]).toEqual(before);
    });

    it('ignores the failure of an outdated transfer', () => {
      const current = [...withPushFile, fileAdded({ transferId: OTHER_TRANSFER_ID })];
      const before = filesAfter(current)[FILE_NAME];
      expect(filesAfter([...current, fileTransferFailed()])[FILE_NAME]).toEqual(before);
    });

    it('ignores file events for a name no longer in the list', () => {
      const removed = [...withPushFile, fileRemoved()];
      expect(filesAfter([...removed, fileReceived()])).toEqual({});
    });

    it('every file event refreshes the expiry', () => {
      const at = (event: UpdateSessionEvent) => {
        const state = stateAfter([...withPushFile, event]);
        return state.status === 'ACTIVE' ? state.expiresAt : undefined;
      };
      expect(at(fileTransferStarted({ expiresAt: LATER }))).toBe(LATER);
      expect(at(fileReceived({ expiresAt: LATER }))).toBe(LATER);
      expect(at(fileRemoved({ expiresAt: LATER }))).toBe(LATER);
      expect(at(fileAdded({ name: 'b.iso', expiresAt: LATER }))).toBe(LATER);
      // even an event for an outdated transfer counts as activity
      expect(at(fileReceived({ transferId: OTHER_TRANSFER_ID, expiresAt: LATER }))).toBe(LATER);
    });

    it('a terminal session keeps its file list', () => {
      const done = [...withPushFile, fileReceived(), sessionCompleted(T0)];
      expect(stateAfter(done).status).toBe('DONE');
      expect(filesAfter(done)[FILE_NAME]?.status).toBe('READY');
    });
  });

  describe('OVF items (§8.6)', () => {
    const ovfCreated = sessionCreated({ itemType: 'ovf' });
    const added = (name: string, transferId: string) =>
      fileAdded({ name, transferId, sourceType: 'PUSH' });
    const got = (name: string, transferId: string) =>
      fileReceived({ name, transferId, size: 10, digests: { SHA1: EMPTY_DIGESTS.SHA1 } });
    const T1 = '11111111-1111-4111-8111-111111111111';
    const T2 = '22222222-2222-4222-8222-222222222222';

    it('accepts the manifest and certificate before the descriptor', () => {
      const events = spec
        .given([ovfCreated])
        .when(add({ name: 'vm.mf', transferId: T1 }))
        .events();
      expect(events.map((event) => event.type)).toEqual(['UpdateSessionFileAdded']);
    });

    it.each(['vm.mf', 'vm.cert', 'VM.MF'])('refuses %s after the descriptor', (name) => {
      spec
        .given([ovfCreated, added('vm.ovf', T1)])
        .when(add({ name, transferId: T2 }))
        .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE', `${CLS}.ovf_metadata_after_descriptor`);
    });

    it('has no ordering rule for items of other types', () => {
      const events = spec
        .given([sessionCreated(), added('vm.ovf', T1)])
        .when(add({ name: 'vm.mf', transferId: T2 }))
        .events();
      expect(events.map((event) => event.type)).toEqual(['UpdateSessionFileAdded']);
    });

    it('refuses complete with what the adapter found missing or invalid, leaving the session ACTIVE', () => {
      const error = spec
        .given([ovfCreated, added('vm.ovf', T1), got('vm.ovf', T1)])
        .when({
          ...complete,
          adapterFindings: { missingFiles: ['disk2.vmdk'], invalidFiles: [] },
        })
        .thenThrows('NOT_ALLOWED_IN_CURRENT_STATE', `${CLS}.session_has_missing_or_invalid_files`);
      expect(error.messages[0]?.defaultMessage).toContain('disk2.vmdk');
    });

    it('completes when the adapter found nothing', () => {
      spec
        .given([ovfCreated, added('vm.ovf', T1), got('vm.ovf', T1)])
        .when({ ...complete, adapterFindings: { missingFiles: [], invalidFiles: [] } })
        .then([sessionCompleted(NOW)]);
    });

    it('validate lists the adapter findings beside the transfer problems, each file once', () => {
      const invalid = { name: 'disk1.vmdk', errorMessage: message(`${CLS}.ovf_invalid_file`, 'x') };
      const result = validateUpdateSession(
        SESSION_ID,
        alice,
        stateAfter([ovfCreated, added('vm.ovf', T1), got('vm.ovf', T1), added('disk1.vmdk', T2)]),
        { missingFiles: ['disk2.vmdk'], invalidFiles: [invalid] },
      );
      expect(result.hasErrors).toBe(true);
      expect(result.missingFiles).toEqual(['disk2.vmdk']);
      expect(result.invalidFiles.map((file) => file.name)).toEqual(['disk1.vmdk']);
      expect(result.invalidFiles[0]?.errorMessage.id).toBe(
        `${CLS}.update_session_file_not_received`,
      );
    });

    describe('an .ova upload', () => {
      const ova = [ovfCreated, added('vm.ova', T1), got('vm.ova', T1)];
      const members = [
        { name: 'vm.ovf', transferId: T2, size: 5, digests: { SHA1: EMPTY_DIGESTS.SHA1 } },
      ];

      it('postpones complete until the archive is unpacked', () => {
        const [event] = spec.given(ova).when(complete).events();
        expect(event?.type).toBe('UpdateSessionCompletionRequested');
      });

      it('is replaced by its members when unpacked', () => {
        const [event] = spec
          .given(ova)
          .when({
            type: 'UnpackUpdateSessionArchive',
            ...envelope,
            caller: SYSTEM_CALLER,
            name: 'vm.ova',
            transferId: T1,
            members,
          })
          .events();
        expect(event?.type).toBe('UpdateSessionArchiveUnpacked');
        const files = filesAfter([...ova, event!]);
        expect(Object.keys(files)).toEqual(['vm.ovf']);
        expect(files['vm.ovf']).toMatchObject({ status: 'READY', transferId: T2, size: 5 });
      });

      it('refuses members with path tricks', () => {
        spec
          .given(ova)
          .when({
            type: 'UnpackUpdateSessionArchive',
            ...envelope,
            caller: SYSTEM_CALLER,
            name: 'vm.ova',
            transferId: T1,
            members: [{ ...members[0]!, name: '../evil.ovf' }],
          })
          .thenThrows('INVALID_ARGUMENT');
      });

      it('is an ordinary file in an item of another type', () => {
        spec
          .given([sessionCreated(), added('vm.ova', T1), got('vm.ova', T1)])
          .when(complete)
          .then([sessionCompleted(NOW)]);
      });
    });
  });
});
