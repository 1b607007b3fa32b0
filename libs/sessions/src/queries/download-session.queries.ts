import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AuthenticatedCaller } from '@cls/access';
import { requirePrivilege } from '@cls/access';
import { DATA_SOURCE } from '@cls/database';
import type { SqlExecutor } from '@cls/event-store';
import { poolOf, prepared } from '@cls/event-store';
import type { Digests, DownloadEndpointType, Message } from '@cls/domain';
import { canSee, invalidArgument, notFound } from '@cls/domain';

import { LibraryItemQueries } from './library-item.queries';
import { isUuid } from '../shared/client-token';

export interface DownloadSessionView {
  readonly id: string;
  readonly libraryItemId: string;
  readonly libraryId: string;
  readonly libraryItemContentVersion: number;
  readonly owner: string;
  readonly state: 'ACTIVE' | 'CANCELED' | 'ERROR';
  readonly clientProgress: number;
  readonly expirationTime: Date;
  readonly errorMessage?: Message;
}

/** One file a download session serves (§6.3), with where its pinned bytes are stored. */
export interface DownloadFileView {
  readonly sessionId: string;
  readonly name: string;
  readonly fileId: string;
  readonly size: number;
  readonly digests: Digests;
  readonly storageKey: string;
  readonly status: 'UNPREPARED' | 'PREPARED';
  readonly endpointType?: DownloadEndpointType;
  readonly bytesTransferred: number;
}

interface FileRow {
  session_id: string;
  name: string;
  file_id: string;
  size: string;
  digests: Digests;
  storage_key: string;
  status: DownloadFileView['status'];
  endpoint_type: DownloadEndpointType | null;
  bytes_transferred: string;
}

function fileFromRow(row: FileRow): DownloadFileView {
  return {
    sessionId: row.session_id,
    name: row.name,
    fileId: row.file_id,
    size: Number(row.size),
    digests: row.digests,
    storageKey: row.storage_key,
    status: row.status,
    ...(row.endpoint_type === null ? {} : { endpointType: row.endpoint_type }),
    bytesTransferred: Number(row.bytes_transferred),
  };
}

interface SessionRow {
  id: string;
  library_item_id: string;
  library_id: string;
  library_item_content_version: number;
  owner: string;
  state: DownloadSessionView['state'];
  client_progress: number;
  expiration_time: Date;
  error_message: Message | null;
}

/** The `DownloadSessionModel` view (§6.1); sessions are visible to their creator and administrators. */
@Injectable()
export class DownloadSessionQueries {
  /** Hot reads (every GET and data-plane request) as prepared statements. */
  private readonly sql: SqlExecutor;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly items: LibraryItemQueries,
  ) {
    this.sql = prepared(poolOf(this.db));
  }

  async get(caller: AuthenticatedCaller, sessionId: string): Promise<DownloadSessionView> {
    const session = await this.find(sessionId);
    if (!session || !canSee(caller, session.owner)) throw notFound('download_session', sessionId);
    return session;
  }

  /** The session's deadline as activity outside events may have moved it (§8.5). */
  async deadlineOf(sessionId: string): Promise<Date | undefined> {
    if (!isUuid(sessionId)) return undefined;
    const [row] = await this.sql.query<{ expiration_time: Date }>(
      'SELECT expiration_time FROM download_session_view WHERE id = $1',
      [sessionId],
    );
    return row?.expiration_time;
  }
  async find(sessionId: string): Promise<DownloadSessionView | undefined> {
    if (!isUuid(sessionId)) return undefined;
    const [row] = await this.sql.query<SessionRow>(
      'SELECT * FROM download_session_view WHERE id = $1',
      [sessionId],
    );
    return (
      row && {
        id: row.id,
        libraryItemId: row.library_item_id,
        libraryId: row.library_id,
        libraryItemContentVersion: row.library_item_content_version,
        owner: row.owner,
        state: row.state,
        clientProgress: row.client_progress,
        expirationTime: row.expiration_time,
        ...(row.error_message === null ? {} : { errorMessage: row.error_message }),
      }
    );
  }

  /** The files of a session (one `get` found for the caller), by name (§6.3 list). */
  async filesOf(session: DownloadSessionView): Promise<DownloadFileView[]> {
    const sessionId = session.id;
    const rows = await this.sql.query<FileRow>(
      'SELECT * FROM download_session_file_view WHERE session_id = $1 ORDER BY name',
      [sessionId],
    );
    return rows.map(fileFromRow);
  }

  /** One file of a session (one `get` found for the caller): an unknown name is `invalid_argument`. */
  async fileOf(session: DownloadSessionView, name: string): Promise<DownloadFileView> {
    const sessionId = session.id;
    const [row] = await this.sql.query<FileRow>(
      'SELECT * FROM download_session_file_view WHERE session_id = $1 AND name = $2',
      [sessionId, name],
    );
    if (!row) {
      throw invalidArgument('file_name', `the download session has no file named "${name}"`);
    }
    return fileFromRow(row);
  }

  /** The file a download URL names, whoever asks (the data plane has no caller). */
  async byFileId(fileId: string): Promise<DownloadFileView | undefined> {
    const [row] = await this.sql.query<FileRow>(
      'SELECT * FROM download_session_file_view WHERE file_id = $1',
      [fileId],
    );
    return row && fileFromRow(row);
  }

  /** Sessions whose deadline has passed, oldest first: the expiry sweep's safety net (§8.5). */
  async dueForExpiry(now: Date, limit: number): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      'SELECT id FROM download_session_view WHERE expiration_time <= $1 ORDER BY expiration_time LIMIT $2',
      [now, limit],
    );
    return rows.map((row) => row.id);
  }

  /** The caller's own sessions, optionally of one item (which needs `ContentLibrary.DownloadSession` on it). */
  async listIds(caller: AuthenticatedCaller, libraryItemId?: string): Promise<string[]> {
    if (libraryItemId === undefined) return (await this.ownedBy(caller.user)).map((row) => row.id);
    const item = await this.items.require(libraryItemId);
    requirePrivilege(caller, 'ContentLibrary.DownloadSession', {
      kind: 'library_item',
      id: item.id,
      libraryId: item.libraryId,
    });
    const rows = await this.sql.query<{ id: string }>(
      'SELECT id FROM download_session_view WHERE owner = $1 AND library_item_id = $2 ORDER BY creation_time, id',
      [caller.user, item.id],
    );
    return rows.map((row) => row.id);
  }

  /** Every session of `owner` that is not deleted, oldest first, with its state. */
  async ownedBy(owner: string): Promise<{ id: string; state: string }[]> {
    return this.sql.query<{ id: string; state: string }>(
      'SELECT id, state FROM download_session_view WHERE owner = $1 ORDER BY creation_time, id',
      [owner],
    );
  }
}
