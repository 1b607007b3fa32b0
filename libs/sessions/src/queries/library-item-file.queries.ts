import { pathToFileURL } from 'node:url';

import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AuthenticatedCaller } from '@cls/access';
import { requirePrivilege } from '@cls/access';
import { DATA_SOURCE } from '@cls/database';
import type { Digests, StorageBacking } from '@cls/domain';
import { notFound } from '@cls/domain';
import { ContentStorage } from '@cls/transfer';

import { LibraryItemQueries } from './library-item.queries';
import { LibraryQueries } from './library.queries';

export interface ItemFileView {
  readonly name: string;
  readonly size: number;
  readonly version: number;
  readonly digests: Digests;
}

export interface ItemFileStorageView extends ItemFileView {
  readonly storageBacking: StorageBacking;
  readonly storageUri: string;
}

interface FileRow {
  name: string;
  size: string;
  version: number;
  digests: Digests;
  storage_key: string;
}

/** The committed files of an item (contract §3.5) and where their bytes are stored (§3.6). */
@Injectable()
export class LibraryItemFileQueries {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly items: LibraryItemQueries,
    private readonly libraries: LibraryQueries,
    private readonly contentStorage: ContentStorage,
  ) {}

  async list(caller: AuthenticatedCaller, itemId: string): Promise<ItemFileView[]> {
    await this.items.get(caller, itemId);
    return (await this.rows(itemId)).map((row) => this.toView(row));
  }

  /** `not_found` for an unknown item or file (§3.5). */
  async get(caller: AuthenticatedCaller, itemId: string, name: string): Promise<ItemFileView> {
    await this.items.get(caller, itemId);
    return this.toView(await this.row(itemId, name));
  }

  async storage(
    caller: AuthenticatedCaller,
    itemId: string,
    name?: string,
  ): Promise<ItemFileStorageView[]> {
    const item = await this.items.require(itemId);
    requirePrivilege(caller, 'ContentLibrary.ReadStorage', {
      kind: 'library_item',
      id: item.id,
      libraryId: item.libraryId,
    });
    const library = await this.libraries.find(item.libraryId);
    if (!library) throw notFound('library', item.libraryId);
    const folder = this.contentStorage.libraryFolder(library.id, library.storageBacking);
    const rows = name === undefined ? await this.rows(item.id) : [await this.row(item.id, name)];
    return rows.map((row) => ({
      ...this.toView(row),
      storageBacking: library.storageBacking,
      storageUri: pathToFileURL(this.contentStorage.storedPath(folder, row.storage_key)).toString(),
    }));
  }

  private rows(itemId: string): Promise<FileRow[]> {
    return this.db.query<FileRow[]>(
      'SELECT * FROM library_item_file_view WHERE item_id = $1 ORDER BY name',
      [itemId],
    );
  }

  private async row(itemId: string, name: string): Promise<FileRow> {
    const [row] = await this.db.query<FileRow[]>(
      'SELECT * FROM library_item_file_view WHERE item_id = $1 AND name = $2',
      [itemId, name],
    );
    if (!row) throw notFound('file', name);
    return row;
  }

  private toView(row: FileRow): ItemFileView {
    return { name: row.name, size: Number(row.size), version: row.version, digests: row.digests };
  }
}
