import { randomUUID } from 'node:crypto';

import type { Privilege } from '@cls/access';
import { requirePrivilege } from '@cls/access';
import type { RequestContext } from '@cls/context';
import type { Decider, DomainEvent, StoredFile } from '@cls/domain';
import { libraryItemDecider, notFound } from '@cls/domain';
import type { DecisionScope } from '@cls/event-store';

import { idFromClientToken, isUuid, requireUuidToken } from '../shared/client-token';

/** The item a session opens on, as its own stream has it now. */
export interface OpenedItem {
  readonly id: string;
  readonly libraryId: string;
  readonly type?: string;
  /** The committed content the session starts from: the files a complete would keep. */
  readonly contentVersion: number;
  readonly files: readonly StoredFile[];
}

export interface SessionOpening {
  readonly item: OpenedItem;
  readonly sessionId: string;
  readonly clientToken?: string;
}

/**
 * The checks both kinds of session make before deciding (§5.2, §6.2): a well-formed client token,
 * an existing item, the caller's privilege on it; and the session's id, derived from the token so
 * a retried create finds the session it made, else a new one whose stream needs no read.
 *
 * The item comes from its own stream, relied on, not written: an item delete (or the garbage
 * collector) must see this session, or this create its change.
 */
export async function openSessionOn<S, C, E extends DomainEvent>(
  scope: DecisionScope,
  context: RequestContext,
  request: {
    readonly libraryItemId: string;
    readonly clientToken?: string;
    readonly privilege: Privilege;
    /** The session's own decider. */
    readonly session: Decider<S, C, E>;
  },
): Promise<SessionOpening> {
  const clientToken = requireUuidToken(request.clientToken);
  if (!isUuid(request.libraryItemId)) throw notFound('library_item', request.libraryItemId);
  const { state: item } = await scope.rely(libraryItemDecider, request.libraryItemId);
  if (item.status !== 'LIVE') throw notFound('library_item', request.libraryItemId);
  requirePrivilege(context.caller, request.privilege, {
    kind: 'library_item',
    id: item.itemId,
    libraryId: item.libraryId,
  });
  const opened: OpenedItem = {
    id: item.itemId,
    libraryId: item.libraryId,
    ...(item.itemType === undefined ? {} : { type: item.itemType }),
    contentVersion: item.contentVersion,
    files: item.files,
  };
  if (clientToken !== undefined) {
    const sessionId = idFromClientToken(
      request.session.streamType,
      context.caller.user,
      clientToken,
    );
    return { item: opened, sessionId, clientToken };
  }
  const sessionId = randomUUID();
  scope.assumeNew(request.session, sessionId);
  return { item: opened, sessionId };
}
