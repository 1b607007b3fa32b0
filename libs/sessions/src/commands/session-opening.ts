import { randomUUID } from 'node:crypto';

import type { Privilege } from '@cls/access';
import { requirePrivilege } from '@cls/access';
import type { LibraryItemState, StoredFile } from '@cls/domain';
import { notFound } from '@cls/domain';

import { idFromClientToken, requireUuidToken } from '../shared/client-token';
import type { RequestContext } from '../shared/request-context';
import type { LibraryItemQueries, LibraryItemView } from '../queries/library-item.queries';

export interface SessionOpening {
  readonly item: LibraryItemView;
  readonly sessionId: string;
  readonly clientToken?: string;
}

/**
 * The checks both kinds of session make before deciding (§5.2, §6.2): a well-formed client token,
 * an existing item, the caller's privilege on it; and the session's id, derived from the token so
 * a retried create finds the session it made.
 */
export async function openSessionOn(
  items: LibraryItemQueries,
  context: RequestContext,
  request: {
    readonly libraryItemId: string;
    readonly clientToken?: string;
    readonly privilege: Privilege;
    readonly streamType: 'update_session' | 'download_session';
  },
): Promise<SessionOpening> {
  const clientToken = requireUuidToken(request.clientToken);
  const item = await items.require(request.libraryItemId);
  requirePrivilege(context.caller, request.privilege, {
    kind: 'library_item',
    id: item.id,
    libraryId: item.libraryId,
  });
  const sessionId =
    clientToken === undefined
      ? randomUUID()
      : idFromClientToken(request.streamType, context.caller.user, clientToken);
  return { item, sessionId, ...(clientToken === undefined ? {} : { clientToken }) };
}

/**
 * The committed content a new session starts from: the item's own stream, which a view may lag.
 * An item deleted since the view was read is `not_found`, as it is to any later request.
 */
export function committedContentOf(
  item: LibraryItemView,
  current: LibraryItemState,
): { readonly contentVersion: number; readonly files: readonly StoredFile[] } {
  if (current.status !== 'LIVE') throw notFound('library_item', item.id);
  return { contentVersion: current.contentVersion, files: current.files };
}
