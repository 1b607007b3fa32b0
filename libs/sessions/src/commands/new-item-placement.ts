import { randomUUID } from 'node:crypto';

import type { AuthenticatedCaller } from '@cls/access';
import { requirePrivilege } from '@cls/access';
import type { LibraryFacts } from '@cls/domain';
import { libraryDecider, notFound } from '@cls/domain';
import type { DecisionScope } from '@cls/event-store';

import type { LibraryItemQueries } from '../queries/library-item.queries';
import type { LibraryQueries } from '../queries/library.queries';
import { idFromClientToken, requireUuidToken } from '../shared/client-token';

/** Where a new item (created or copied) goes: its library, its id, and what the decider needs. */
export interface NewItemPlacement {
  readonly itemId: string;
  readonly clientToken?: string;
  readonly library: LibraryFacts;
}

/**
 * Checks `ContentLibrary.AddLibraryItem` on the library and picks the item's id: a retry with the
 * same client token lands on the same stream and finds its own item.
 */
export async function placeNewItem(
  caller: AuthenticatedCaller,
  queries: { readonly libraries: LibraryQueries; readonly items: LibraryItemQueries },
  libraryId: string,
  name: string,
  clientTokenInput: string | undefined,
): Promise<NewItemPlacement> {
  const library = await queries.libraries.find(libraryId);
  if (!library) throw notFound('library', libraryId);
  requirePrivilege(caller, 'ContentLibrary.AddLibraryItem', { kind: 'library', id: library.id });
  const clientToken = requireUuidToken(clientTokenInput);
  const itemId =
    clientToken === undefined
      ? randomUUID()
      : idFromClientToken('library_item', caller.user, clientToken);
  const itemNamedAlike = await queries.items.idNamed(library.id, name);
  return {
    itemId,
    ...(clientToken === undefined ? {} : { clientToken }),
    library: {
      id: library.id,
      name: library.name,
      ...(itemNamedAlike === undefined || itemNamedAlike === itemId ? {} : { itemNamedAlike }),
    },
  };
}

/**
 * Relies on the item's library without writing it: a library delete must see the new item, or
 * the new item its deletion.
 */
export async function relyOnLiveLibrary(scope: DecisionScope, libraryId: string): Promise<void> {
  const { state } = await scope.rely(libraryDecider, libraryId);
  if (state.status !== 'LIVE') throw notFound('library', libraryId);
}
