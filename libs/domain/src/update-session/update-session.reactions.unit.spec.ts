import { updateSessionReactions, addSeconds, downloadSessionReactions } from '@cls/domain';
import {
  fileAdded,
  fileReceived,
  sessionCanceled,
  sessionCompleted,
  sessionCreated,
  sessionDeleted,
  sessionFailed,
  sessionKeptAlive,
  SESSION_ID,
  T0,
  TIMEOUT,
  TRANSFER_ID,
} from '@cls/testing';

const EVENT_ID = '3f9a6a4e-7d0c-4b8e-9a51-0c2b7e5d1f00';
const deadline = addSeconds(T0, TIMEOUT);

describe('update session reactions (the outbox relay feeds these to the queues)', () => {
  it('gives a new session its one expiry job, at its first deadline', () => {
    expect(updateSessionReactions(sessionCreated(), EVENT_ID)).toContainEqual({
      job: 'expire-session',
      jobId: `${EVENT_ID}-expire-session`,
      data: { sessionId: SESSION_ID, causationId: EVENT_ID },
      runAt: deadline,
    });
  });

  it('adds no expiry job when a later event moves the deadline (the one job follows it)', () => {
    for (const event of [sessionKeptAlive(), fileAdded(), fileReceived(), sessionCompleted()]) {
      expect(updateSessionReactions(event, EVENT_ID).map((r) => r.job)).not.toContain(
        'expire-session',
      );
    }
  });

  it('starts a pull when a PULL file is added, and only then', () => {
    const pull = fileAdded({ sourceType: 'PULL', sourceEndpoint: { uri: 'https://x/a.iso' } });
    expect(updateSessionReactions(pull, EVENT_ID)).toContainEqual({
      job: 'pull-file',
      jobId: `${EVENT_ID}-pull-file`,
      data: { sessionId: SESSION_ID, causationId: EVENT_ID, transferId: TRANSFER_ID },
    });
    expect(updateSessionReactions(fileAdded(), EVENT_ID)).toEqual([]);
  });

  it('retries a postponed completion when the request is recorded or a file lands after it', () => {
    const requested = {
      type: 'UpdateSessionCompletionRequested' as const,
      data: { sessionId: SESSION_ID, requestedAt: T0, expiresAt: deadline },
    };
    const receivedAfterRequest = fileReceived({ completionRequested: true });
    for (const event of [requested, receivedAfterRequest]) {
      expect(updateSessionReactions(event, EVENT_ID).map((r) => r.job)).toContain(
        'finish-completion',
      );
    }
  });

  it('has no completion to retry when a file lands before complete was asked for', () => {
    const jobs = updateSessionReactions(fileReceived({ completionRequested: false }), EVENT_ID);
    expect(jobs).toEqual([]);
  });

  it('sweeps up the staged bytes of every session that ends without completing', () => {
    for (const event of [sessionCanceled(), sessionFailed()]) {
      expect(updateSessionReactions(event, EVENT_ID).map((r) => r.job)).toEqual([
        'discard-staging',
      ]);
    }
  });

  it('has nothing to sweep after a completion, which clears its own staging as it commits', () => {
    expect(updateSessionReactions(sessionCompleted(), EVENT_ID)).toEqual([]);
  });

  it('has nothing to do after a delete', () => {
    expect(updateSessionReactions(sessionDeleted(), EVENT_ID)).toEqual([]);
  });

  it('gives every job an id derived from the event, so relaying twice enqueues once', () => {
    const twice = [1, 2].map(() => updateSessionReactions(sessionCreated(), EVENT_ID));
    expect(twice[0]).toEqual(twice[1]);
    for (const reaction of twice[0]!) {
      expect(reaction.jobId).not.toContain(':');
      expect(reaction.jobId.startsWith(EVENT_ID)).toBe(true);
    }
  });

  it('download sessions: a new session gets its one expiry job', () => {
    const created = {
      type: 'DownloadSessionCreated' as const,
      data: {
        sessionId: SESSION_ID,
        libraryItemId: SESSION_ID,
        libraryId: SESSION_ID,
        itemContentVersion: 1,
        files: [],
        owner: 'alice',
        createdAt: T0,
        expiresAt: deadline,
      },
    };
    expect(downloadSessionReactions(created, EVENT_ID)).toEqual([
      {
        job: 'expire-download-session',
        jobId: `${EVENT_ID}-expire-download-session`,
        data: { sessionId: SESSION_ID, causationId: EVENT_ID },
        runAt: deadline,
      },
    ]);
  });
});
