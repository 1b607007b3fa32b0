import { Readable } from 'node:stream';

import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { Correlation } from '@cls/context';
import { correlationOf } from '@cls/context';
import type {
  ActiveUpdateSession,
  BodyEnd,
  FailedBecause,
  Message,
  UpdateSessionState,
} from '@cls/domain';
import {
  ConcurrentChange,
  DomainError,
  fileAlreadyReceived,
  InsufficientStorage,
  invalidArgument,
  message,
  notFound,
  wantedTransfer,
} from '@cls/domain';
import type { EventMetadata } from '@cls/event-store';
import type { ContentRange } from '@cls/transfer';
import {
  ContentStorage,
  DataPlaneTokens,
  isStorageFull,
  parseContentRange,
  PastRangeEnd,
  StagingWriter,
  TooLong,
} from '@cls/transfer';

import type { SessionFileView } from '../queries/update-session-file.queries';
import {
  sessionFileFromState,
  UpdateSessionFileQueries,
} from '../queries/update-session-file.queries';
import { FileTransfers } from './file-transfer';
import { TransferDecisions } from './transfer-decisions';

export interface UploadRequest extends Correlation {
  readonly token: string;
  readonly name: string;
  readonly body: Readable;
  readonly contentLength?: number;
  readonly contentRange?: string;
}

/** What the transport answers: every byte so far is safe on disk, or the file is complete and valid. */
export type UploadOutcome =
  { readonly kind: 'partial'; readonly received: number } | { readonly kind: 'complete' };

/**
 * A body announced at most this long is recorded as started only once it has ended: a whole small
 * file costs one transaction (started and received together). Longer bodies are recorded as
 * started first, so their file shows TRANSFERRING while the bytes flow.
 */
const DEFERRED_START_MAX_BYTES = 1024 * 1024;

/** Errors of a client that vanished mid-body: the staged bytes stay and the upload can resume. */
function isDisconnect(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ECONNRESET' ||
    (error as Error)?.message === 'aborted'
  );
}

/** How an upload's body ended, from what its stage threw; undefined for the service's own errors. */
function uploadEndOf(error: unknown): BodyEnd | undefined {
  if (error instanceof TooLong) return { how: 'too_long' };
  if (isStorageFull(error)) return { how: 'storage_full' };
  if (error instanceof PastRangeEnd) return { how: 'past_range_end' };
  if (isDisconnect(error)) return { how: 'cut' };
  return undefined;
}

/** The answer to an upload whose file failed: 507 for a full disk, else 400. */
function failedUpload(because: FailedBecause, reason: Message): DomainError {
  return because === 'storage_full'
    ? new InsufficientStorage(reason)
    : invalidArgument('upload', reason.defaultMessage);
}

/** The PUSH file `name` of transfer `transferId`, if its session still takes its bytes. */
function receivingFile(
  state: UpdateSessionState,
  name: string,
  transferId: string,
): { file: SessionFileView; session: ActiveUpdateSession } {
  const target = wantedTransfer(state, { transferId, source: 'PUSH', name });
  if (!target.wanted)
    throw target.because === 'already_received'
      ? fileAlreadyReceived(name)
      : notFound('file', name);
  return { file: sessionFileFromState(target.session, target.file), session: target.session };
}

/**
 * The PUSH upload endpoint (contract §7.1): bytes stream from the request through the digests to
 * the staging file, never buffered whole. The end of the body is judged by the decider (size and
 * checksum against what `add` declared); a dropped connection keeps what arrived for a
 * `Content-Range` resume.
 */
@Injectable()
export class UploadService {
  private readonly receiving = new Set<string>();

  constructor(
    private readonly tokens: DataPlaneTokens,
    private readonly files: UpdateSessionFileQueries,
    private readonly storage: ContentStorage,
    private readonly writer: StagingWriter,
    private readonly decisions: TransferDecisions,
    private readonly transfers: FileTransfers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The upload URL of a PUSH file, on the base URL the client used (or PUBLIC_URL). */
  async uploadUri(baseUrl: string, file: SessionFileView): Promise<string | undefined> {
    if (file.sourceType !== 'PUSH' || file.transferId === undefined) return undefined;
    const base = this.config.publicUrl ?? baseUrl;
    const token = await this.tokens.tokenFor(file.sessionId, file.transferId);
    return `${base}/cls/data/${token}/${encodeURIComponent(file.name)}`;
  }

  async receive(request: UploadRequest): Promise<UploadOutcome> {
    const { file, session } = await this.target(request.token, request.name);
    const transferId = file.transferId!;
    // One writer per transfer in this process; two would interleave bytes in one staging file.
    if (this.receiving.has(transferId)) {
      throw new ConcurrentChange(
        message(
          'com.vmware.vdcs.cls-main.upload_in_progress',
          `File ${file.name} is already being uploaded.`,
          [file.name],
        ),
      );
    }
    this.receiving.add(transferId);
    try {
      return await this.receiveInto(file, session, transferId, request, {
        actor: `data-plane:${session.owner}`,
        ...correlationOf(request),
        causationId: transferId,
        commandType: 'Upload',
      });
    } finally {
      this.receiving.delete(transferId);
    }
  }

  /**
   * The sweep's half of `Content-Range: bytes *\/size`: a PUSH file whose declared size is all
   * staged, with nothing written to it for `quietMs`, lost its receipt (the service was away as
   * the body ended) and no client confirmed it. Records it as a confirmation would; answers
   * whether it did.
   */
  async confirmStaged(
    sessionId: string,
    name: string,
    transferId: string,
    quietMs: number,
  ): Promise<boolean> {
    if (this.receiving.has(transferId)) return false;
    // The file system first: most candidates are uploads still under way, told apart without
    // reading their session's events.
    const staged = await this.storage.stagedFile(sessionId, transferId);
    if (staged === undefined || Date.now() - staged.modified.getTime() < quietMs) return false;
    const { file, session } = receivingFile(
      await this.decisions.current(sessionId),
      name,
      transferId,
    );
    if (staged.size !== file.declaredSize) return false;
    this.receiving.add(transferId);
    try {
      const outcome = await this.receiveInto(
        file,
        session,
        transferId,
        {
          body: Readable.from([]),
          contentLength: 0,
          contentRange: `bytes */${staged.size}`,
        },
        {
          actor: 'sweep',
          correlationId: `sweep-${sessionId}`,
          causationId: transferId,
          commandType: 'ConfirmStagedUpload',
        },
      );
      return outcome.kind === 'complete';
    } finally {
      this.receiving.delete(transferId);
    }
  }

  private async receiveInto(
    file: SessionFileView,
    session: ActiveUpdateSession,
    transferId: string,
    request: Pick<UploadRequest, 'body' | 'contentLength' | 'contentRange'>,
    metadata: EventMetadata,
  ): Promise<UploadOutcome> {
    const range = parseContentRange(request.contentRange);
    const offset = range?.first ?? 0;
    // Only a resumed body has to meet what is staged; a whole one overwrites it.
    if (range !== undefined)
      this.checkPlacement(
        file,
        range,
        await this.storage.stagedSize(file.sessionId, transferId),
        request.contentLength,
      );
    if (
      file.declaredSize !== undefined &&
      request.contentLength !== undefined &&
      offset + request.contentLength > file.declaredSize
    ) {
      // Announced too long: failed before a byte is read.
      const reason = await this.transfers.fail(
        { source: 'PUSH', file: { ...file, transferId }, metadata },
        { how: 'too_long' },
      );
      throw failedUpload('file_too_long', reason);
    }
    const outcome = await this.transfers
      .run({
        source: 'PUSH',
        file: { ...file, transferId },
        session,
        startAtEnd:
          request.contentLength !== undefined && request.contentLength <= DEFERRED_START_MAX_BYTES,
        metadata,
        stage: async (onChunk) => ({
          staged: await this.writer.stage({
            sessionId: file.sessionId,
            transferId,
            ...(file.declaredSize === undefined ? {} : { declaredSize: file.declaredSize }),
            ...(file.expectedChecksum === undefined
              ? {}
              : { expectedChecksum: file.expectedChecksum }),
            offset,
            ...(range === undefined ? {} : { end: range.last + 1 }),
            body: request.body,
            onChunk,
          }),
          ...(range === undefined ? {} : { range: { total: range.total ?? null } }),
        }),
        endOf: uploadEndOf,
      })
      .catch(async (error: unknown) => {
        // The session may have ended under the request (expired, canceled) and its staging
        // with it: then the answer is the one any request after the end gets, never a 500.
        if (!(error instanceof DomainError))
          receivingFile(await this.decisions.current(file.sessionId), file.name, transferId);
        throw error;
      });
    switch (outcome.kind) {
      case 'received':
        if (outcome.decided.state.status === 'ERROR') {
          throw invalidArgument(
            'upload',
            outcome.decided.state.errorMessage?.defaultMessage ?? 'the upload failed',
          );
        }
        return { kind: 'complete' };
      case 'kept':
        if (outcome.refusing === 'past_range_end')
          throw invalidArgument(
            'Content-Range',
            `the body goes past the range's last byte ${range!.last}`,
          );
        return { kind: 'partial', received: outcome.received };
      case 'failed':
        throw failedUpload(outcome.because, outcome.reason);
    }
  }

  /** The file a token grants, if its session still takes bytes; anything else is 404 (§7.1). */
  private async target(
    token: string,
    name: string,
  ): Promise<{ file: SessionFileView; session: ActiveUpdateSession }> {
    const ids = (await this.tokens.idsOf(token)) ?? [];
    // A token of one id was issued before tokens named the session (or is a download's).
    const [sessionId, transferId] =
      ids.length === 1 ? [await this.files.sessionOfTransfer(ids[0]!), ids[0]] : ids;
    if (transferId === undefined || sessionId === undefined || ids.length > 2)
      throw notFound('file', name);
    return receivingFile(await this.decisions.current(sessionId), name, transferId);
  }

  /**
   * Ranges must continue exactly where the staged bytes end: no gaps, no overlaps, so the staged
   * file is always a prefix of the file.
   */
  private checkPlacement(
    file: SessionFileView,
    range: ContentRange,
    staged: number,
    contentLength: number | undefined,
  ): void {
    if (range.first !== staged) {
      throw invalidArgument(
        'Content-Range',
        `starts at byte ${range.first}, but ${staged} bytes of ${file.name} are already received`,
      );
    }
    if (
      range.total !== undefined &&
      file.declaredSize !== undefined &&
      range.total !== file.declaredSize
    ) {
      throw invalidArgument(
        'Content-Range',
        `total ${range.total} differs from the declared size ${file.declaredSize}`,
      );
    }
    if (contentLength !== undefined && contentLength !== range.last - range.first + 1) {
      throw invalidArgument(
        'Content-Range',
        `covers ${range.last - range.first + 1} bytes but the body has ${contentLength}`,
      );
    }
  }
}
