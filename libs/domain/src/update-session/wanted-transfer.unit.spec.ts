import type { UpdateSessionEvent } from '@cls/domain';
import { fold, updateSessionDecider, wantedTransfer } from '@cls/domain';
import {
  FILE_NAME,
  fileAdded,
  fileReceived,
  fileRemoved,
  fileTransferFailed,
  fileTransferStarted,
  OTHER_TRANSFER_ID,
  sessionCanceled,
  sessionCompleted,
  sessionCreated,
  TRANSFER_ID,
} from '@cls/testing';

/** Given these events, when a transfer's bytes arrive, then does the session want them? */
function given(
  history: readonly UpdateSessionEvent[],
  source: 'PUSH' | 'PULL' = 'PUSH',
  name?: string,
) {
  const state = fold(updateSessionDecider.evolve, updateSessionDecider.initialState(), history);
  return wantedTransfer(state, { transferId: TRANSFER_ID, source, ...(name ? { name } : {}) });
}

const pullAdded = fileAdded({
  sourceType: 'PULL',
  sourceEndpoint: { uri: 'https://images.example/disk.iso' },
});

describe('wantedTransfer: the rule upload and pull share', () => {
  it('wants the bytes of a file waiting for them, or part-way through them', () => {
    expect(given([sessionCreated(), fileAdded()])).toMatchObject({
      wanted: true,
      file: { name: FILE_NAME, transferId: TRANSFER_ID, status: 'WAITING_FOR_TRANSFER' },
    });
    expect(given([sessionCreated(), pullAdded, fileTransferStarted()], 'PULL')).toMatchObject({
      wanted: true,
      file: { status: 'TRANSFERRING', sourceType: 'PULL' },
    });
    expect(given([sessionCreated(), fileAdded()], 'PUSH', FILE_NAME)).toMatchObject({
      wanted: true,
    });
  });

  it.each<[string, UpdateSessionEvent[], string]>([
    [
      'the session completed',
      [sessionCreated(), fileAdded(), fileReceived(), sessionCompleted()],
      'session_ended',
    ],
    [
      'the session was canceled',
      [sessionCreated(), fileAdded(), sessionCanceled()],
      'session_ended',
    ],
    ['no session at all', [], 'session_ended'],
    ['the file was removed', [sessionCreated(), fileAdded(), fileRemoved()], 'file_gone'],
    [
      'the file was added again under a new transfer',
      [sessionCreated(), fileAdded(), fileAdded({ transferId: OTHER_TRANSFER_ID })],
      'file_gone',
    ],
    ['its bytes all came', [sessionCreated(), fileAdded(), fileReceived()], 'already_received'],
  ])('does not want them when %s', (_, history, because) => {
    expect(given(history)).toEqual({ wanted: false, because });
  });

  it('does not want the bytes of a transfer that failed', () => {
    const history = [sessionCreated(), fileAdded(), fileTransferStarted(), fileTransferFailed()];
    const state = fold(updateSessionDecider.evolve, updateSessionDecider.initialState(), history);
    expect(state.status).toBe('ACTIVE');
    expect(given(history)).toEqual({ wanted: false, because: 'failed' });
  });

  it('wants bytes only the way the file takes them, and only under its own name', () => {
    expect(given([sessionCreated(), fileAdded()], 'PULL')).toEqual({
      wanted: false,
      because: 'other_source',
    });
    expect(given([sessionCreated(), pullAdded], 'PUSH')).toEqual({
      wanted: false,
      because: 'other_source',
    });
    expect(given([sessionCreated(), fileAdded()], 'PUSH', 'other.iso')).toEqual({
      wanted: false,
      because: 'file_gone',
    });
  });
});
