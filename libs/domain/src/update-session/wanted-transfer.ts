import type { SessionFile, SourceType } from '../content/content.types';
import type { ActiveUpdateSession, UpdateSessionState } from './update-session.state';

/** Why a session no longer wants the bytes of a transfer. */
export type UnwantedBecause =
  /** The session is not ACTIVE: completed, canceled, expired, failed or deleted. */
  | 'session_ended'
  /** No file of the session has this transfer id (under this name): removed, or replaced by a new add. */
  | 'file_gone'
  /** The file takes its bytes the other way (PUSH bytes from a pull, or PULL bytes by PUT). */
  | 'other_source'
  | 'already_received'
  | 'failed';

export type WantedTransfer =
  | { readonly wanted: true; readonly session: ActiveUpdateSession; readonly file: SessionFile }
  | { readonly wanted: false; readonly because: UnwantedBecause };

/**
 * Whether the session still wants the bytes of `transferId` arriving by `source` (and, for an
 * upload, under the name in its URL): the one rule the upload endpoint and the pull worker ask
 * before they start, and the pull again while its bytes flow.
 */
export function wantedTransfer(
  state: UpdateSessionState,
  transfer: { readonly transferId: string; readonly source: SourceType; readonly name?: string },
): WantedTransfer {
  if (state.status !== 'ACTIVE') return { wanted: false, because: 'session_ended' };
  const file = Object.values(state.files).find((entry) => entry.transferId === transfer.transferId);
  if (file === undefined || (transfer.name !== undefined && file.name !== transfer.name))
    return { wanted: false, because: 'file_gone' };
  if (file.sourceType !== transfer.source) return { wanted: false, because: 'other_source' };
  if (file.status === 'READY') return { wanted: false, because: 'already_received' };
  if (file.status === 'ERROR') return { wanted: false, because: 'failed' };
  return { wanted: true, session: state, file };
}
