import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AuthenticatedCaller } from '@cls/access';
import { holds, requirePrivilege } from '@cls/access';
import { DATA_SOURCE } from '@cls/database';
import { isUuid } from '../shared/client-token';
import type { StorageBacking } from '@cls/domain';
import { notFound } from '@cls/domain';

import { requireSomeProperty } from './find-spec';

/** `LibraryModel.FindSpec`: every property given must match (§3.3). */
export interface LibraryFindSpec {
  /** Matched case-insensitively. */
  readonly name?: string;
  readonly type?: string;
}

export interface LibraryView {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly type: 'LOCAL';
  readonly storageBacking: StorageBacking;
  readonly serverGuid?: string;
  readonly extras?: Readonly<Record<string, unknown>>;
  readonly version: number;
  readonly creationTime: Date;
  readonly lastModifiedTime: Date;
}

interface LibraryRow {
  id: string;
  name: string;
  description: string;
  storage_backing: StorageBacking;
  server_guid: string | null;
  extras: Record<string, unknown> | null;
  version: number;
  creation_time: Date;
  last_modified_time: Date;
}

@Injectable()
export class LibraryQueries {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  /** The library, or `not_found`, after checking `System.Read` on it. */
  async get(caller: AuthenticatedCaller, libraryId: string): Promise<LibraryView> {
    const library = await this.find(libraryId);
    if (!library) throw notFound('library', libraryId);
    requirePrivilege(caller, 'System.Read', { kind: 'library', id: library.id });
    return library;
  }

  async find(libraryId: string): Promise<LibraryView | undefined> {
    if (!isUuid(libraryId)) return undefined;
    const [row] = await this.db.query<LibraryRow[]>('SELECT * FROM library_view WHERE id = $1', [
      libraryId,
    ]);
    return row && this.toView(row);
  }

  /** Ids of the libraries the caller may read. */
  async listIds(caller: AuthenticatedCaller): Promise<string[]> {
    requirePrivilege(caller, 'System.Read', { kind: 'global' });
    const rows = await this.db.query<{ id: string }[]>(
      'SELECT id FROM library_view ORDER BY creation_time, id',
    );
    return rows.map((row) => row.id);
  }

  /** Ids of the libraries that match and that the caller may read, oldest first. */
  async findIds(caller: AuthenticatedCaller, spec: LibraryFindSpec): Promise<string[]> {
    requireSomeProperty(spec);
    const rows = await this.db.query<{ id: string }[]>(
      `SELECT id FROM library_view
        WHERE ($1::text IS NULL OR lower(name) = lower($1)) AND ($2::text IS NULL OR type = $2)
        ORDER BY creation_time, id`,
      [spec.name ?? null, spec.type ?? null],
    );
    return rows
      .map((row) => row.id)
      .filter((id) => holds(caller, 'System.Read', { kind: 'library', id }));
  }

  private toView(row: LibraryRow): LibraryView {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      type: 'LOCAL',
      storageBacking: row.storage_backing,
      ...(row.server_guid === null ? {} : { serverGuid: row.server_guid }),
      ...(row.extras === null ? {} : { extras: row.extras }),
      version: row.version,
      creationTime: row.creation_time,
      lastModifiedTime: row.last_modified_time,
    };
  }
}
