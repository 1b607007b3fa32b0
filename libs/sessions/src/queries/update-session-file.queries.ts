import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AuthenticatedCaller } from '@cls/access';
import { DATA_SOURCE } from '@cls/database';
import type {
  ChecksumInfo,
  Digests,
  Message,
  SessionFile,
  SourceType,
  TransferEndpoint,
  TransferStatus,
  ValidationResult,
} from '@cls/domain';
import {
  isOvfMetadataFile,
  noSuchFile,
  OVF_ITEM_TYPE,
  updateSessionDecider,
  validateUpdateSession,
} from '@cls/domain';
import type { SqlExecutor } from '@cls/event-store';
import { DeciderCommandRunner, poolOf, prepared } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { OvfAdapter } from '../content/ovf-adapter';
import { UpdateSessionQueries } from './update-session.queries';

export interface SessionFileView {
  readonly sessionId: string;
  readonly name: string;
  readonly sourceType: SourceType;
  readonly status: TransferStatus;
  readonly transferId?: string;
  readonly declaredSize?: number;
  readonly expectedChecksum?: ChecksumInfo;
  readonly size?: number;
  readonly digests?: Digests;
  readonly sourceEndpoint?: TransferEndpoint;
  readonly errorMessage?: Message;
  readonly bytesTransferred: number;
  /** False for an OVF package's manifest and certificate, which are not stored (§8.6). */
  readonly keepInStorage: boolean;
}

interface FileRow {
  session_id: string;
  name: string;
  source_type: SourceType;
  status: TransferStatus;
  transfer_id: string | null;
  declared_size: string | null;
  expected_checksum: ChecksumInfo | null;
  size: string | null;
  digests: Digests | null;
  source_endpoint: TransferEndpoint | null;
  error_message: Message | null;
  item_type: string | null;
}

/** The row plus its item's type, which decides whether an OVF metadata file is kept (§4.3). */
const FILE_COLUMNS = `f.*, (SELECT i.type FROM update_session_view s JOIN library_item_view i ON i.id = s.library_item_id
                             WHERE s.id = f.session_id) AS item_type`;

export function sessionFileFromRow(row: FileRow): SessionFileView {
  return sessionFileFromState(
    { sessionId: row.session_id, ...(row.item_type === null ? {} : { itemType: row.item_type }) },
    {
      name: row.name,
      sourceType: row.source_type,
      status: row.status,
      ...(row.transfer_id === null ? {} : { transferId: row.transfer_id }),
      ...(row.declared_size === null ? {} : { declaredSize: Number(row.declared_size) }),
      ...(row.expected_checksum === null ? {} : { expectedChecksum: row.expected_checksum }),
      ...(row.size === null ? {} : { size: Number(row.size) }),
      ...(row.digests === null ? {} : { digests: row.digests }),
      ...(row.source_endpoint === null ? {} : { sourceEndpoint: row.source_endpoint }),
      ...(row.error_message === null ? {} : { errorMessage: row.error_message }),
    },
  );
}

/**
 * A file as the view holds it, from the session's decided state: what a command answers without
 * reading the view back (the view is written from the same events in the same transaction).
 */
export function sessionFileFromState(
  session: { readonly sessionId: string; readonly itemType?: string },
  file: SessionFile,
): SessionFileView {
  return {
    sessionId: session.sessionId,
    name: file.name,
    sourceType: file.sourceType,
    status: file.status,
    ...(file.transferId === undefined ? {} : { transferId: file.transferId }),
    ...(file.declaredSize === undefined ? {} : { declaredSize: file.declaredSize }),
    ...(file.expectedChecksum === undefined ? {} : { expectedChecksum: file.expectedChecksum }),
    ...(file.size === undefined ? {} : { size: file.size }),
    ...(file.digests === undefined ? {} : { digests: file.digests }),
    ...(file.sourceEndpoint === undefined ? {} : { sourceEndpoint: file.sourceEndpoint }),
    ...(file.errorMessage === undefined ? {} : { errorMessage: file.errorMessage }),
    // Received files count all their bytes; running ones are measured on disk (withProgress).
    bytesTransferred: file.status === 'READY' && file.size !== undefined ? file.size : 0,
    keepInStorage: !(session.itemType === OVF_ITEM_TYPE && isOvfMetadataFile(file.name)),
  };
}

/** The file list of an update session, readable in every state (contract §8.1). */
@Injectable()
export class UpdateSessionFileQueries {
  /** Hot reads (every GET and data-plane request) as prepared statements. */
  private readonly sql: SqlExecutor;

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly sessions: UpdateSessionQueries,
    private readonly runner: DeciderCommandRunner,
    private readonly storage: ContentStorage,
    private readonly ovf: OvfAdapter,
  ) {
    this.sql = prepared(poolOf(this.db));
  }

  /**
   * A running transfer's progress is the size of its staged file: exact even after a crash, so a
   * client can resume from `bytes_transferred` with a Content-Range.
   */
  private async withProgress(file: SessionFileView): Promise<SessionFileView> {
    if (file.status !== 'TRANSFERRING' || file.transferId === undefined) return file;
    return {
      ...file,
      bytesTransferred: await this.storage.stagedSize(file.sessionId, file.transferId),
    };
  }

  async list(caller: AuthenticatedCaller, sessionId: string): Promise<SessionFileView[]> {
    await this.sessions.get(caller, sessionId);
    const rows = await this.sql.query<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM update_session_file_view f WHERE f.session_id = $1 ORDER BY f.name`,
      [sessionId],
    );
    return Promise.all(rows.map((row) => this.withProgress(sessionFileFromRow(row))));
  }

  /** An unknown name is `invalid_argument`, not `not_found` (§4.3). */
  async get(
    caller: AuthenticatedCaller,
    sessionId: string,
    name: string,
  ): Promise<SessionFileView> {
    await this.sessions.get(caller, sessionId);
    const [row] = await this.sql.query<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM update_session_file_view f WHERE f.session_id = $1 AND f.name = $2`,
      [sessionId, name],
    );
    if (!row) throw noSuchFile(name);
    return this.withProgress(sessionFileFromRow(row));
  }

  /** The session a transfer id belongs to (the data plane's token names only the transfer). */
  async sessionOfTransfer(transferId: string): Promise<string | undefined> {
    const [row] = await this.sql.query<{ session_id: string }>(
      'SELECT session_id FROM update_session_file_view WHERE transfer_id = $1',
      [transferId],
    );
    return row?.session_id;
  }

  /** `validate` reads the session's own stream, so it judges exactly what `complete` would. */
  async validate(caller: AuthenticatedCaller, sessionId: string): Promise<ValidationResult> {
    const { state } = await this.runner.load(updateSessionDecider, sessionId);
    // Refuses a session the caller may not see (or not ACTIVE) before any file is read.
    const transfers = validateUpdateSession(sessionId, caller, state);
    const findings = state.status === 'ACTIVE' ? await this.ovf.findings(state) : undefined;
    return findings ? validateUpdateSession(sessionId, caller, state, findings) : transfers;
  }
}
