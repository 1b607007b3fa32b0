import type { DownloadSessionCommand, DownloadSessionEvent } from '@cls/domain';
import { addSeconds, downloadSessionDecider, SYSTEM_CALLER } from '@cls/domain';
import {
  admin,
  alice,
  bob,
  deciderSpecification,
  DOWNLOAD_SESSION_ID,
  downloadFilePrepared,
  downloadSessionCanceled,
  downloadSessionCreated,
  downloadSessionFailed,
  ITEM_ID,
  LIBRARY_ID,
  storedFile,
  T0,
  TIMEOUT,
} from '@cls/testing';

const spec = deciderSpecification(downloadSessionDecider);
const NOW = '2026-11-23T10:02:00.000Z';
const LATER = addSeconds(NOW, TIMEOUT);
const envelope = {
  sessionId: DOWNLOAD_SESSION_ID,
  caller: alice,
  now: NOW,
  timeoutSeconds: TIMEOUT,
};
const FILE = storedFile().name;

const ops: Record<string, DownloadSessionCommand> = {
  keep_alive: { type: 'KeepDownloadSessionAlive', ...envelope, progress: 10 },
  prepare: { type: 'PrepareDownloadSessionFile', ...envelope, name: FILE, endpointType: 'HTTPS' },
  cancel: { type: 'CancelDownloadSession', ...envelope },
  fail: { type: 'FailDownloadSession', ...envelope, clientErrorMessage: 'client gave up' },
};

const finished: Record<string, readonly DownloadSessionEvent[]> = {
  CANCELED: [downloadSessionCreated(), downloadSessionCanceled()],
  ERROR: [downloadSessionCreated(), downloadSessionFailed()],
};

describe('download session decider (contract §6.2, §6.3)', () => {
  describe('create', () => {
    const create = (clientToken?: string): DownloadSessionCommand => ({
      type: 'CreateDownloadSession',
      ...envelope,
      now: T0,
      item: { id: ITEM_ID, libraryId: LIBRARY_ID, contentVersion: 3, files: [storedFile()] },
      ...(clientToken === undefined ? {} : { clientToken }),
    });

    it('opens an ACTIVE session pinned to the item version and its files', () => {
      spec.given([]).when(create()).then([downloadSessionCreated()]);
    });

    it('a repeated create with the same client token is a no-op; another id clash is already_exists', () => {
      const token = 'b5b1c0de-0000-4000-8000-000000000001';
      spec
        .given([downloadSessionCreated({ clientToken: token })])
        .when(create(token))
        .thenNothingHappened();
      spec.given([downloadSessionCreated()]).when(create()).thenThrows('ALREADY_EXISTS');
    });
  });

  describe('when ACTIVE', () => {
    const given = spec.given([downloadSessionCreated()]);

    it('keep_alive extends the deadline and records progress, which only grows', () => {
      given.when(ops.keep_alive!).then([
        {
          type: 'DownloadSessionKeptAlive',
          data: { sessionId: DOWNLOAD_SESSION_ID, progress: 10, expiresAt: LATER },
        },
      ]);
      spec
        .given([
          downloadSessionCreated(),
          {
            type: 'DownloadSessionKeptAlive',
            data: { sessionId: DOWNLOAD_SESSION_ID, progress: 50, expiresAt: LATER },
          },
        ])
        .when(ops.keep_alive!)
        .then([
          {
            type: 'DownloadSessionKeptAlive',
            data: { sessionId: DOWNLOAD_SESSION_ID, progress: 50, expiresAt: LATER },
          },
        ]);
    });

    it('prepare makes a local file PREPARED at once, and again is a no-op', () => {
      given.when(ops.prepare!).then([downloadFilePrepared({ expiresAt: LATER })]);
      spec
        .given([downloadSessionCreated(), downloadFilePrepared()])
        .when(ops.prepare!)
        .thenNothingHappened();
    });

    it('prepare for DIRECT after HTTPS records the new kind', () => {
      spec
        .given([downloadSessionCreated(), downloadFilePrepared()])
        .when({ ...ops.prepare!, endpointType: 'DIRECT' } as DownloadSessionCommand)
        .then([downloadFilePrepared({ endpointType: 'DIRECT', expiresAt: LATER })]);
    });

    it('prepare of an unknown name is invalid_argument, not not_found', () => {
      given
        .when({ ...ops.prepare!, name: 'other.iso' } as DownloadSessionCommand)
        .thenThrows('INVALID_ARGUMENT');
    });

    it('cancel and fail end it; delete is allowed too', () => {
      given.when(ops.cancel!).then([downloadSessionCanceled(NOW)]);
      given.when(ops.fail!).then([downloadSessionFailed(NOW, 'client gave up')]);
      given.when({ type: 'DeleteDownloadSession', ...envelope }).then([
        {
          type: 'DownloadSessionDeleted',
          data: { sessionId: DOWNLOAD_SESSION_ID, libraryItemId: ITEM_ID, deletedAt: NOW },
        },
      ]);
    });

    it('is not_found for another user, and open to an administrator', () => {
      given.when({ ...ops.cancel!, caller: bob }).thenThrows('NOT_FOUND');
      given.when({ ...ops.cancel!, caller: admin }).then([downloadSessionCanceled(NOW)]);
    });
  });

  describe.each(Object.entries(finished))('when %s', (_state, history) => {
    it.each(Object.keys(ops))('%s is not_allowed_in_current_state', (operation) => {
      spec.given(history).when(ops[operation]!).thenThrows('NOT_ALLOWED_IN_CURRENT_STATE');
    });

    it('delete removes it', () => {
      const [event] = spec
        .given(history)
        .when({ type: 'DeleteDownloadSession', ...envelope })
        .events();
      expect(event?.type).toBe('DownloadSessionDeleted');
    });
  });

  describe('after delete', () => {
    it('every operation is not_found', () => {
      const history = [
        downloadSessionCreated(),
        {
          type: 'DownloadSessionDeleted' as const,
          data: { sessionId: DOWNLOAD_SESSION_ID, libraryItemId: ITEM_ID, deletedAt: T0 },
        },
      ];
      for (const command of [
        ...Object.values(ops),
        { type: 'DeleteDownloadSession', ...envelope },
      ]) {
        spec
          .given(history)
          .when(command as DownloadSessionCommand)
          .thenThrows('NOT_FOUND');
      }
    });
  });

  describe('expiry (§8.5: expired download sessions are removed)', () => {
    const deadline = addSeconds(T0, TIMEOUT);
    const expire = (now: string, activityExpiresAt?: string): DownloadSessionCommand => ({
      type: 'ExpireDownloadSession',
      sessionId: DOWNLOAD_SESSION_ID,
      caller: SYSTEM_CALLER,
      now,
      timeoutSeconds: TIMEOUT,
      ...(activityExpiresAt === undefined ? {} : { activityExpiresAt }),
    });

    it('removes an idle ACTIVE session at its deadline', () => {
      spec
        .given([downloadSessionCreated()])
        .when(expire(deadline))
        .then([
          {
            type: 'DownloadSessionExpired',
            data: { sessionId: DOWNLOAD_SESSION_ID, libraryItemId: ITEM_ID, expiredAt: deadline },
          },
        ]);
    });

    it('does nothing before the deadline, or while downloads keep it busy', () => {
      spec
        .given([downloadSessionCreated()])
        .when(expire(addSeconds(deadline, -1)))
        .thenNothingHappened();
      spec
        .given([downloadSessionCreated()])
        .when(expire(deadline, addSeconds(deadline, 30)))
        .thenNothingHappened();
    });

    it('purges a canceled session after its retention; a removed one stays removed', () => {
      const [event] = spec
        .given(finished.CANCELED!)
        .when(expire(addSeconds(T0, TIMEOUT)))
        .events();
      expect(event?.type).toBe('DownloadSessionPurged');
      spec
        .given([...finished.CANCELED!, event!])
        .when(expire(addSeconds(T0, 10 * TIMEOUT)))
        .thenNothingHappened();
    });
  });
});
