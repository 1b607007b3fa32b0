import { basename } from 'node:path';

import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import type { StoredFile } from '@cls/domain';
import { libraryItemDecider, notFound } from '@cls/domain';
import { DeciderCommandRunner, PostgresEventStore, streamIdOf } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { LibraryFolders } from '../content/library-folders';
import { LibraryItemQueries } from '../queries/library-item.queries';
import { LibraryQueries } from '../queries/library.queries';
import { placeNewItem, relyOnLiveLibrary } from './new-item-placement';

/** Item `copy`: the new item's model (its library, and what it changes of the source's). */
export interface CopyLibraryItemInput {
  readonly sourceItemId: string;
  readonly libraryId: string;
  /** Default: the source's name (refused in the source's own library: names are unique). */
  readonly name?: string;
  readonly description?: string;
  readonly type?: string;
  readonly clientToken?: string;
}

export class CopyLibraryItemCommand extends Command<string> {
  constructor(
    readonly context: RequestContext,
    readonly input: CopyLibraryItemInput,
  ) {
    super();
  }
}

/**
 * Copies an item's committed content into a new item, in the same library or another: the files
 * are linked (or copied across file systems) under the new item's keys while the source's stream
 * is held, so its garbage collection cannot take a version away meanwhile; then the new item's
 * creation and content are appended together. An update session still ACTIVE on the source is
 * not part of the copy. Privileges as vCenter: read on the source, AddLibraryItem on the target.
 */
@CommandHandler(CopyLibraryItemCommand)
export class CopyLibraryItemHandler implements ICommandHandler<CopyLibraryItemCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly store: PostgresEventStore,
    private readonly clock: Clock,
    private readonly libraries: LibraryQueries,
    private readonly items: LibraryItemQueries,
    private readonly folders: LibraryFolders,
    private readonly storage: ContentStorage,
  ) {}

  async execute({ context, input }: CopyLibraryItemCommand): Promise<string> {
    const source = await this.items.get(context.caller, input.sourceItemId);
    const name = input.name ?? source.name;
    const placement = await placeNewItem(
      context.caller,
      { libraries: this.libraries, items: this.items },
      input.libraryId,
      name,
      input.clientToken,
    );
    const { itemId, library } = placement;
    const copied = await this.copyFiles(source.id, source.libraryId, library.id, itemId);
    const itemType = input.type ?? source.type;
    try {
      await this.runner.transact(
        async (scope) => {
          await relyOnLiveLibrary(scope, library.id);
          await scope.decide(libraryItemDecider, itemId, {
            type: 'CopyLibraryItem',
            itemId,
            library,
            name,
            description: input.description ?? source.description,
            ...(itemType === undefined ? {} : { itemType }),
            ...(placement.clientToken === undefined ? {} : { clientToken: placement.clientToken }),
            now: this.clock.now().toISOString(),
            source: copied,
          });
        },
        metadataFor(context, 'CopyLibraryItem'),
      );
    } catch (error) {
      // Nothing refers to the files of a copy that was refused, unless an earlier try with the
      // same client token made the item: then they are its own.
      const { state } = await this.runner.load(libraryItemDecider, itemId);
      if (state.status === 'EMPTY') await this.removeFiles(library.id, itemId, copied.files);
      throw error;
    }
    return itemId;
  }

  /** The source's committed files, stored again under the new item's keys. */
  private async copyFiles(
    sourceId: string,
    sourceLibraryId: string,
    targetLibraryId: string,
    itemId: string,
  ): Promise<{ itemId: string; contentVersion: number; files: StoredFile[] }> {
    const [from, to] = await Promise.all([
      this.folders.folderOf(sourceLibraryId),
      this.folders.folderOf(targetLibraryId),
    ]);
    if (from === undefined) throw notFound('library', sourceLibraryId);
    if (to === undefined) throw notFound('library', targetLibraryId);
    return this.store.exclusively(streamIdOf(libraryItemDecider.streamType, sourceId), async () => {
      const { state } = await this.runner.load(libraryItemDecider, sourceId);
      if (state.status !== 'LIVE') throw notFound('library_item', sourceId);
      const files: StoredFile[] = [];
      for (const file of state.files) {
        const storageKey = `${itemId}/${basename(file.storageKey)}`;
        await this.storage.linkStored(
          this.storage.storedPath(from, file.storageKey),
          this.storage.storedPath(to, storageKey),
        );
        files.push({ ...file, storageKey });
      }
      return { itemId: sourceId, contentVersion: state.contentVersion, files };
    });
  }

  private async removeFiles(
    libraryId: string,
    itemId: string,
    files: readonly StoredFile[],
  ): Promise<void> {
    const folder = await this.folders.folderOf(libraryId);
    if (folder === undefined) return;
    for (const file of files) await this.storage.removeStored(folder, file.storageKey);
    await this.storage.removeItemFolder(folder, itemId);
  }
}
