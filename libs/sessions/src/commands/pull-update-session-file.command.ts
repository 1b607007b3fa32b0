import { setInterval } from 'node:timers';

import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { JobContext } from '@cls/context';
import { jobMetadata } from '@cls/context';
import type { SourceWarning } from '@cls/domain';
import { DomainError, message, wantedTransfer } from '@cls/domain';
import {
  ContentStorage,
  isStorageFull,
  OutboundPolicy,
  openPullSource,
  PullSourceError,
  StagingWriter,
  TooLong,
} from '@cls/transfer';

import type { StagedTransfer } from '../content/file-transfer';
import { FileTransfers } from '../content/file-transfer';
import { PullSourceSecrets } from '../content/pull-source-secrets';
import { TransferDecisions } from '../content/transfer-decisions';
import type { SessionFileView } from '../queries/update-session-file.queries';
import { sessionFileFromState } from '../queries/update-session-file.queries';

/** How often a running pull checks that its session still wants it (cancel within a second, §4.2). */
const CANCEL_CHECK_MS = 400;

export type PullOutcome = 'received' | 'failed' | 'skipped';

export class PullUpdateSessionFileCommand extends Command<PullOutcome> {
  constructor(
    readonly context: JobContext,
    readonly sessionId: string,
    readonly transferId: string,
    /** Aborts when the worker shuts down: the staged bytes stay for whoever resumes the job. */
    readonly shutdown: AbortSignal,
    /** No retry follows this attempt: a transient error fails the file too. */
    readonly lastAttempt: boolean,
  ) {
    super();
  }
}

/**
 * The server side of a PULL (contract §7.2): fetch the source into staging, resuming from the bytes
 * already there, then let the decider judge size and checksum. Transient errors are thrown for the
 * queue to retry; permanent ones (and the last attempt's) fail the file and the session with the
 * reason. A canceled session or a replaced file aborts the transfer and records nothing.
 */
@CommandHandler(PullUpdateSessionFileCommand)
export class PullUpdateSessionFileHandler implements ICommandHandler<PullUpdateSessionFileCommand> {
  private readonly policy: OutboundPolicy;

  constructor(
    private readonly decisions: TransferDecisions,
    private readonly transfers: FileTransfers,
    private readonly storage: ContentStorage,
    private readonly writer: StagingWriter,
    private readonly secrets: PullSourceSecrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.policy = new OutboundPolicy({
      allowedNetworks: config.pullAllowedNetworks,
      allowedSchemes: config.pullAllowedSchemes,
      ...(config.pullAllowedPorts === undefined ? {} : { allowedPorts: config.pullAllowedPorts }),
    });
  }

  async execute(command: PullUpdateSessionFileCommand): Promise<PullOutcome> {
    const target = await this.target(command.sessionId, command.transferId);
    if (!target) return 'skipped';
    const { file, owner } = target;
    const unwanted = new AbortController();
    const watch = setInterval(() => {
      void this.target(command.sessionId, command.transferId).then(
        (current) => current || unwanted.abort(),
        () => undefined,
      );
    }, CANCEL_CHECK_MS);
    const signal = AbortSignal.any([command.shutdown, unwanted.signal]);
    try {
      const outcome = await this.transfers.run({
        source: 'PULL',
        file: { ...file, transferId: command.transferId },
        session: { owner },
        startAtEnd: false,
        metadata: jobMetadata(command.context, 'PullUpdateSessionFile'),
        stage: (onChunk) => this.stage(file, command.transferId, onChunk, signal),
        endOf: (error) => {
          // Aborted on purpose: nothing to record (unwanted) or left for a resume (shutdown).
          if (signal.aborted) return undefined;
          if (error instanceof TooLong) return { how: 'too_long' };
          if (isStorageFull(error)) return { how: 'storage_full' };
          if (error instanceof PullSourceError && error.permanent) return { how: 'source_refused' };
          return { how: 'cut', lastAttempt: command.lastAttempt };
        },
      });
      switch (outcome.kind) {
        case 'received':
          return outcome.decided.state.status === 'ERROR' ? 'failed' : 'received';
        case 'failed':
          return 'failed';
        case 'kept':
          throw new Error(`pull ${command.transferId} kept its bytes for a resume only clients do`);
      }
    } catch (error) {
      // The session ended or dropped the file before or while the bytes came.
      if (unwanted.signal.aborted || error instanceof DomainError) return 'skipped';
      throw error;
    } finally {
      clearInterval(watch);
    }
  }

  /** Fetches the source into staging, resuming from the bytes already there. */
  private async stage(
    file: SessionFileView,
    transferId: string,
    onChunk: (bytes: number) => void,
    signal: AbortSignal,
  ): Promise<StagedTransfer> {
    const source = await openPullSource({
      uri: (await this.secrets.uriOf(transferId)) ?? file.sourceEndpoint!.uri,
      ...(file.sourceEndpoint?.sslCertificateThumbprint === undefined
        ? {}
        : { thumbprint: file.sourceEndpoint.sslCertificateThumbprint }),
      offset: await this.storage.stagedSize(file.sessionId, transferId),
      policy: this.policy,
      importRoots: this.config.importRoots,
      datastores: this.config.datastores,
      stallMs: this.config.pullStallSeconds * 1000,
      signal,
    });
    const staged = await this.writer.stage({
      sessionId: file.sessionId,
      transferId,
      ...(file.declaredSize === undefined ? {} : { declaredSize: file.declaredSize }),
      ...(file.expectedChecksum === undefined ? {} : { expectedChecksum: file.expectedChecksum }),
      offset: source.resumedFrom,
      body: source.body,
      onChunk,
      signal,
    });
    return {
      staged,
      warnings: source.warnings.map((warning): SourceWarning => ({
        type: warning.type,
        message: message(
          `com.vmware.vdcs.cls-main.${warning.type.toLowerCase()}`,
          warning.message,
          [file.name],
        ),
      })),
    };
  }

  /** The file a transfer id still names, while its session wants the bytes (`wantedTransfer`). */
  private async target(
    sessionId: string,
    transferId: string,
  ): Promise<{ file: SessionFileView; owner: string } | undefined> {
    const target = wantedTransfer(await this.decisions.current(sessionId), {
      transferId,
      source: 'PULL',
    });
    if (!target.wanted) return undefined;
    return { file: sessionFileFromState(target.session, target.file), owner: target.session.owner };
  }
}
