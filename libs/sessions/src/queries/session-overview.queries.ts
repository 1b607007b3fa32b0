import type { DataSource } from 'typeorm';

import type { Message } from '@cls/domain';

import { isUuid } from '../shared/client-token';

export const SESSION_KINDS = ['update', 'download'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

export interface SessionSummary {
  readonly id: string;
  readonly kind: SessionKind;
  readonly libraryItemId: string;
  readonly owner: string;
  readonly state: string;
  readonly clientProgress: number;
  readonly creationTime: Date;
  readonly expirationTime: Date;
  readonly fileCount: number;
}

export interface SessionFileSummary {
  readonly name: string;
  readonly status: string;
  /** Bytes received (update) or the stored size (download); absent while unknown. */
  readonly size?: number;
  /** Bytes served so far (download sessions). */
  readonly bytesTransferred?: number;
  /** `PUSH`, `PULL` or `NONE` for update sessions, `HTTPS` or `DIRECT` once a download file is prepared. */
  readonly endpoint?: string;
  readonly error?: string;
}

export interface SessionDetail extends SessionSummary {
  readonly error?: string;
  readonly files: readonly SessionFileSummary[];
}

export interface SessionFilter {
  readonly libraryItemId?: string;
  readonly state?: string;
  readonly kind?: SessionKind;
  readonly limit: number;
}

interface SummaryRow {
  id: string;
  kind: SessionKind;
  library_item_id: string;
  owner: string;
  state: string;
  client_progress: number;
  creation_time: Date;
  expiration_time: Date;
  file_count: number;
  error_message: Message | null;
}

interface FileRow {
  name: string;
  status: string;
  size: string | null;
  bytes_transferred: string | null;
  endpoint: string | null;
  error_message: Message | null;
}

/** Both kinds of sessions in one shape, so one listing can mix them. */
const SESSIONS = `
  SELECT 'update' AS kind, s.id, s.library_item_id, s.owner, s.state, s.client_progress, s.creation_time,
         s.expiration_time, s.error_message,
         (SELECT count(*)::int FROM update_session_file_view f WHERE f.session_id = s.id) AS file_count
    FROM update_session_view s
  UNION ALL
  SELECT 'download', s.id, s.library_item_id, s.owner, s.state, s.client_progress, s.creation_time,
         s.expiration_time, s.error_message,
         (SELECT count(*)::int FROM download_session_file_view f WHERE f.session_id = s.id)
    FROM download_session_view s`;

const summaryOf = (row: SummaryRow): SessionSummary => ({
  id: row.id,
  kind: row.kind,
  libraryItemId: row.library_item_id,
  owner: row.owner,
  state: row.state,
  clientProgress: row.client_progress,
  creationTime: row.creation_time,
  expirationTime: row.expiration_time,
  fileCount: row.file_count,
});

const optionalNumber = (value: string | null): number | undefined =>
  value === null ? undefined : Number(value);

/**
 * Every caller's update and download sessions, from the views: what an operator looks at (the
 * CLI), unlike the API's queries, which show callers their own sessions only.
 */
export class SessionOverviewQueries {
  constructor(private readonly db: DataSource) {}

  /** Newest first. */
  async list(filter: SessionFilter): Promise<SessionSummary[]> {
    if (filter.libraryItemId !== undefined && !isUuid(filter.libraryItemId)) return [];
    const rows = await this.db.query<SummaryRow[]>(
      `SELECT * FROM (${SESSIONS}) s
        WHERE ($1::uuid IS NULL OR s.library_item_id = $1::uuid)
          AND ($2::text IS NULL OR s.state = $2)
          AND ($3::text IS NULL OR s.kind = $3)
        ORDER BY s.creation_time DESC, s.id
        LIMIT $4`,
      [filter.libraryItemId ?? null, filter.state ?? null, filter.kind ?? null, filter.limit],
    );
    return rows.map(summaryOf);
  }

  async get(sessionId: string): Promise<SessionDetail | undefined> {
    if (!isUuid(sessionId)) return undefined;
    const [row] = await this.db.query<SummaryRow[]>(
      `SELECT * FROM (${SESSIONS}) s WHERE s.id = $1`,
      [sessionId],
    );
    if (!row) return undefined;
    const files = await this.db.query<FileRow[]>(
      row.kind === 'update'
        ? `SELECT name, status, size, NULL AS bytes_transferred, source_type AS endpoint, error_message
             FROM update_session_file_view WHERE session_id = $1 ORDER BY name`
        : `SELECT name, status, size, bytes_transferred, endpoint_type AS endpoint, NULL::jsonb AS error_message
             FROM download_session_file_view WHERE session_id = $1 ORDER BY name`,
      [sessionId],
    );
    return {
      ...summaryOf(row),
      ...(row.error_message ? { error: row.error_message.defaultMessage } : {}),
      files: files.map((file) => ({
        name: file.name,
        status: file.status,
        ...(file.size === null ? {} : { size: optionalNumber(file.size) }),
        ...(file.bytes_transferred === null
          ? {}
          : { bytesTransferred: optionalNumber(file.bytes_transferred) }),
        ...(file.endpoint === null ? {} : { endpoint: file.endpoint }),
        ...(file.error_message ? { error: file.error_message.defaultMessage } : {}),
      })),
    };
  }
}
