import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable, Transform } from 'node:stream';

import { Injectable } from '@nestjs/common';

import { notFound } from '@cls/domain';
import { parseRange, DataPlaneTokens, DownloadActivity } from '@cls/transfer';

import { DownloadSessionQueries } from '../queries/download-session.queries';
import { DownloadEndpoints } from './download-endpoints';

export interface DownloadRequest {
  readonly token: string;
  readonly name: string;
  readonly range?: string;
  readonly ifNoneMatch?: string;
  readonly ifRange?: string;
  /** HEAD: headers only. */
  readonly headersOnly: boolean;
}

export interface DownloadResponse {
  readonly status: 200 | 206 | 304 | 416;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Readable;
  /** Counts the body on its way to the client (progress and activity); pipe through it. */
  readonly meter?: Transform;
}

/**
 * The download endpoint (contract §7.3): a prepared file of an ACTIVE session, streamed from its
 * pinned stored bytes with constant memory. One byte range is honoured (206), a range past the
 * end is 416, validators (`ETag` = the SHA-1, `If-None-Match`, `If-Range`) let clients resume.
 * Anything that is not a live, prepared file of the token's session is 404.
 */
@Injectable()
export class DownloadService {
  constructor(
    private readonly tokens: DataPlaneTokens,
    private readonly sessions: DownloadSessionQueries,
    private readonly endpoints: DownloadEndpoints,
    private readonly activity: DownloadActivity,
  ) {}

  async serve(request: DownloadRequest): Promise<DownloadResponse> {
    const [fileId, ...more] = (await this.tokens.idsOf(request.token)) ?? [];
    const file =
      fileId === undefined || more.length > 0 ? undefined : await this.sessions.byFileId(fileId);
    const session = file && (await this.sessions.find(file.sessionId));
    if (!file || !session || session.state !== 'ACTIVE' || file.name !== request.name)
      throw notFound('file', request.name);
    if (file.status !== 'PREPARED') throw notFound('file', request.name);
    const path = await this.endpoints.storedPath(session, file);
    const { size, mtime } = await stat(path);
    const etag = `"${file.digests.SHA1 ?? `${size}-${mtime.getTime()}`}"`;
    const sha256 = file.digests.SHA256;
    const common: Record<string, string> = {
      'accept-ranges': 'bytes',
      // RFC 9530: the whole file's digest, so a client can prove it received every byte.
      ...(sha256 === undefined
        ? {}
        : { 'repr-digest': `sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:` }),
      etag,
      'last-modified': mtime.toUTCString(),
      'content-type': 'application/octet-stream',
    };
    if (request.ifNoneMatch !== undefined && request.ifNoneMatch.split(/\s*,\s*/).includes(etag)) {
      return { status: 304, headers: common };
    }
    // If-Range with another validator: the client's partial copy is stale, send it all.
    const rangeHeader =
      request.ifRange === undefined || request.ifRange === etag ? request.range : undefined;
    const range = parseRange(rangeHeader, size);
    if (range.kind === 'unsatisfiable') {
      return { status: 416, headers: { ...common, 'content-range': `bytes */${size}` } };
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1];
    const headers = {
      ...common,
      'content-length': String(Math.max(0, end - start + 1)),
      ...(range.kind === 'partial' ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    };
    const status = range.kind === 'partial' ? 206 : 200;
    if (request.headersOnly || size === 0) return { status, headers };
    return {
      status,
      headers,
      body: createReadStream(path, { start, end }),
      meter: this.activity.meter(session.id, file.fileId),
    };
  }
}
