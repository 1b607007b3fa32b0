import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AuthenticatedCaller } from '@cls/access';
import { holds, requirePrivilege } from '@cls/access';
import { DATA_SOURCE } from '@cls/database';
import { isUuid } from '../shared/client-token';
import { notFound } from '@cls/domain';
import type { SqlExecutor } from '@cls/event-store';

import { requireSomeProperty } from './find-spec';
import { LibraryQueries } from './library.queries';

export interface LibraryItemView {
  readonly id: string;
  readonly libraryId: string;
  readonly name: string;
  readonly description: string;
  readonly type?: string;
  readonly contentVersion: number;
  readonly metadataVersion: number;
  readonly version: number;
  readonly cached: boolean;
  readonly size: number;
  readonly creationTime: Date;
  readonly lastModifiedTime: Date;
}

interface ItemRow {
  id: string;
  library_id: string;
  name: string;
  description: string;
  type: string | null;
  content_version: number;
  metadata_version: number;
  version: number;
  cached: boolean;
  size: string;
  creation_time: Date;
  last_modified_time: Date;
}

/** `ItemModel.FindSpec`: every property given must match (§3.4). */
export interface LibraryItemFindSpec {
  /** Matched case-insensitively, like `type`. */
  readonly name?: string;
  readonly libraryId?: string;
  /** The item of a published library that a subscribed item mirrors: local items have none. */
  readonly sourceId?: string;
  readonly type?: string;
  readonly cached?: boolean;
}

@Injectable()
export class LibraryItemQueries {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly libraries: LibraryQueries,
  ) {}

  /** The item, or `not_found`, after checking `System.Read` on it. */
  async get(caller: AuthenticatedCaller, itemId: string): Promise<LibraryItemView> {
    const item = await this.require(itemId);
    requirePrivilege(caller, 'System.Read', {
      kind: 'library_item',
      id: item.id,
      libraryId: item.libraryId,
    });
    return item;
  }

  /** The item or `not_found`, without an access check (the caller checks a more specific privilege). */
  async require(itemId: string): Promise<LibraryItemView> {
    if (!isUuid(itemId)) throw notFound('library_item', itemId);
    const [row] = await this.db.query<ItemRow[]>('SELECT * FROM library_item_view WHERE id = $1', [
      itemId,
    ]);
    if (!row) throw notFound('library_item', itemId);
    return this.toView(row);
  }

  async listIds(caller: AuthenticatedCaller, libraryId: string): Promise<string[]> {
    await this.libraries.get(caller, libraryId);
    return this.idsInLibrary(libraryId);
  }

  /** `sql` asks inside a commit (`DecisionScope.claim`). */
  async idsInLibrary(libraryId: string, sql: SqlExecutor = this.db): Promise<string[]> {
    if (!isUuid(libraryId)) return [];
    const rows = await sql.query<{ id: string }>(
      'SELECT id FROM library_item_view WHERE library_id = $1 ORDER BY creation_time, id',
      [libraryId],
    );
    return rows.map((row) => row.id);
  }

  /** Ids of the items that match and that the caller may read, oldest first. */
  async findIds(caller: AuthenticatedCaller, spec: LibraryItemFindSpec): Promise<string[]> {
    requireSomeProperty(spec);
    if (spec.sourceId !== undefined) return [];
    if (spec.libraryId !== undefined && !isUuid(spec.libraryId)) return [];
    const rows = await this.db.query<{ id: string; library_id: string }[]>(
      `SELECT id, library_id FROM library_item_view
        WHERE ($1::text IS NULL OR lower(name) = lower($1))
          AND ($2::uuid IS NULL OR library_id = $2)
          AND ($3::text IS NULL OR lower(type) = lower($3))
          AND ($4::boolean IS NULL OR cached = $4)
        ORDER BY creation_time, id`,
      [spec.name ?? null, spec.libraryId ?? null, spec.type ?? null, spec.cached ?? null],
    );
    return rows
      .filter((row) =>
        holds(caller, 'System.Read', {
          kind: 'library_item',
          id: row.id,
          libraryId: row.library_id,
        }),
      )
      .map((row) => row.id);
  }

  async idNamed(libraryId: string, name: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ id: string }[]>(
      'SELECT id FROM library_item_view WHERE library_id = $1 AND name = $2',
      [libraryId, name],
    );
    return row?.id;
  }

  private toView(row: ItemRow): LibraryItemView {
    return {
      id: row.id,
      libraryId: row.library_id,
      name: row.name,
      description: row.description,
      ...(row.type === null ? {} : { type: row.type }),
      contentVersion: row.content_version,
      metadataVersion: row.metadata_version,
      version: row.version,
      cached: row.cached,
      size: Number(row.size),
      creationTime: row.creation_time,
      lastModifiedTime: row.last_modified_time,
    };
  }
}
