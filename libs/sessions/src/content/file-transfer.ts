import { Injectable } from '@nestjs/common';

import type {
  BodyEnd,
  FailedBecause,
  Message,
  SourceWarning,
  UpdateSessionEvent,
  UpdateSessionState,
} from '@cls/domain';
import { bodyVerdict, message } from '@cls/domain';
import type { Decided, EventMetadata } from '@cls/event-store';
import type { StagedBytes } from '@cls/transfer';
import { ContentStorage, UploadActivity } from '@cls/transfer';

import type { TransferCommand, TransferredFile } from './transfer-decisions';
import { TransferDecisions } from './transfer-decisions';

/** What a failed file says, in the words of the transfer that failed it. */
function transferFailureReason(
  source: 'PUSH' | 'PULL',
  file: { readonly name: string; readonly declaredSize?: number },
  end: BodyEnd,
  error?: unknown,
): Message {
  const cause = error instanceof Error ? error.message : String(error);
  switch (end.how) {
    case 'too_long':
      return message(
        'com.vmware.vdcs.cls-main.file_too_long',
        source === 'PUSH'
          ? `File ${file.name}: received more than the declared ${file.declaredSize} bytes.`
          : `File ${file.name}: the source sent more than the declared ${file.declaredSize} bytes.`,
        [file.name, String(file.declaredSize)],
      );
    case 'storage_full':
      return message(
        'com.vmware.vdcs.cls-main.storage_full',
        `File ${file.name}: the service's storage is full; its bytes were discarded.`,
        [file.name],
      );
    case 'source_refused':
      return message('com.vmware.vdcs.cls-main.file_pull_failed', `File ${file.name}: ${cause}`, [
        file.name,
        cause,
      ]);
    default:
      return message(
        'com.vmware.vdcs.cls-main.file_pull_failed',
        `File ${file.name}: the transfer kept failing; last error: ${cause}`,
        [file.name, cause],
      );
  }
}

/** What a stage left: the bytes, and what the source said of them. */
export interface StagedTransfer {
  readonly staged: StagedBytes;
  /** The file's total as an upload's `Content-Range` gave it (`null` for `*`). */
  readonly range?: { readonly total: number | null };
  readonly warnings?: readonly SourceWarning[];
}

/** One transfer of bytes into a session's file, as an upload or a pull runs it. */
export interface TransferRun {
  readonly source: 'PUSH' | 'PULL';
  readonly file: TransferredFile & { readonly declaredSize?: number };
  /**
   * The session's owner, whose session and login the transfer's activity keeps alive, and its
   * deadline when known (a fresh one needs no refresh yet).
   */
  readonly session: { readonly owner: string; readonly expiresAt?: string };
  /**
   * The start is recorded with the receipt (a small upload: one transaction in all), or else
   * before the bytes flow, so the file shows TRANSFERRING meanwhile.
   */
  readonly startAtEnd: boolean;
  readonly metadata: EventMetadata;
  /** Stages the bytes, calling `onChunk` with the size of each chunk. */
  stage(onChunk: (bytes: number) => void): Promise<StagedTransfer>;
  /** How a stage that threw ended; undefined for an error that is not the body's (rethrown). */
  endOf(error: unknown): BodyEnd | undefined;
}

export type TransferOutcome =
  /** Recorded for the decider, which judged it: the session may have ended ERROR. */
  | {
      readonly kind: 'received';
      readonly decided: Decided<UpdateSessionState, UpdateSessionEvent>;
    }
  /** Staged so far and kept, `received` bytes in all; `refusing` the request all the same. */
  | { readonly kind: 'kept'; readonly received: number; readonly refusing?: 'past_range_end' }
  /** The file failed, its session ended ERROR and its staged bytes are gone. */
  | { readonly kind: 'failed'; readonly because: FailedBecause; readonly reason: Message };

/**
 * The one transfer routine of uploads and pulls: start, stage, then do what the end of the body
 * means (`bodyVerdict`): record what arrived, keep it for a resume, leave it to a retry (the
 * stage's error is rethrown), or fail the file.
 */
@Injectable()
export class FileTransfers {
  constructor(
    private readonly decisions: TransferDecisions,
    private readonly storage: ContentStorage,
    private readonly activity: UploadActivity,
  ) {}

  async run(run: TransferRun): Promise<TransferOutcome> {
    const { file, metadata } = run;
    const start: TransferCommand = {
      type: 'StartUpdateSessionFileTransfer',
      name: file.name,
      transferId: file.transferId,
    };
    if (!run.startAtEnd) await this.decisions.decide(file.sessionId, [start], metadata);
    const onChunk = this.activity.tracker(
      { ...run.session, sessionId: file.sessionId },
      run.source === 'PUSH' ? 'upload' : 'pull',
    );
    let staged: StagedTransfer | undefined;
    let end: BodyEnd;
    let failure: unknown;
    try {
      staged = await run.stage(onChunk);
      end = {
        how: 'ended',
        received: staged.staged.received,
        ...(staged.range === undefined ? {} : { range: staged.range }),
      };
    } catch (error) {
      const ended = run.endOf(error);
      if (ended === undefined) throw error;
      end = ended;
      failure = error;
    }

    const verdict = bodyVerdict(run.source, end);
    switch (verdict.then) {
      case 'record_received': {
        const arrived = staged!;
        const decided = await this.decisions.recordReceived(
          file,
          {
            size: arrived.staged.received,
            digests: await arrived.staged.digests(),
            ...(arrived.warnings === undefined ? {} : { warnings: arrived.warnings }),
          },
          metadata,
          run.startAtEnd ? [start] : [],
        );
        return { kind: 'received', decided };
      }
      case 'keep_for_resume':
        staged?.staged.discard();
        // Whatever ends the body short, the file is then in transfer and resumable.
        if (run.startAtEnd) await this.decisions.decide(file.sessionId, [start], metadata);
        return {
          kind: 'kept',
          received:
            staged?.staged.received ??
            (await this.storage.stagedSize(file.sessionId, file.transferId)),
          ...(verdict.refusing === undefined ? {} : { refusing: verdict.refusing }),
        };
      case 'retry':
        throw failure;
      case 'fail':
        return {
          kind: 'failed',
          because: verdict.because,
          reason: await this.fail(run, end, failure),
        };
    }
  }

  /** Fails the file for a body that ended so, in the words of its kind of transfer; the reason. */
  async fail(
    run: Pick<TransferRun, 'source' | 'file' | 'metadata'>,
    end: BodyEnd,
    error?: unknown,
  ): Promise<Message> {
    const reason = transferFailureReason(run.source, run.file, end, error);
    await this.decisions.failTransfer(run.file, reason, run.metadata);
    return reason;
  }
}
