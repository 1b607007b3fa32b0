import { setInterval } from 'node:timers';

import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { JobContext } from '@cls/context';
import { jobMetadata } from '@cls/context';
import type { Message, SourceWarning } from '@cls/domain';
import { DomainError, message, wantedTransfer } from '@cls/domain';
import {
  ContentStorage,
  OutboundPolicy,
  openPullSource,
  PullSourceError,
  StagingWriter,
  TooLong,
  UploadActivity,
} from '@cls/transfer';

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
    private readonly storage: ContentStorage,
    private readonly writer: StagingWriter,
    private readonly activity: UploadActivity,
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
    const metadata = jobMetadata(command.context, 'PullUpdateSessionFile');
    try {
      await this.decisions.decide(
        file.sessionId,
        [
          {
            type: 'StartUpdateSessionFileTransfer',
            name: file.name,
            transferId: command.transferId,
          },
        ],
        metadata,
      );
    } catch (error) {
      if (error instanceof DomainError) return 'skipped';
      throw error;
    }

    const unwanted = new AbortController();
    const watch = setInterval(() => {
      void this.target(command.sessionId, command.transferId).then(
        (current) => current || unwanted.abort(),
        () => undefined,
      );
    }, CANCEL_CHECK_MS);
    const signal = AbortSignal.any([command.shutdown, unwanted.signal]);
    try {
      const offset = await this.storage.stagedSize(file.sessionId, command.transferId);
      const source = await openPullSource({
        uri: (await this.secrets.uriOf(command.transferId)) ?? file.sourceEndpoint!.uri,
        ...(file.sourceEndpoint?.sslCertificateThumbprint === undefined
          ? {}
          : { thumbprint: file.sourceEndpoint.sslCertificateThumbprint }),
        offset,
        policy: this.policy,
        importRoots: this.config.importRoots,
        datastores: this.config.datastores,
        stallMs: this.config.pullStallSeconds * 1000,
        signal,
      });
      const staged = await this.writer.stage({
        sessionId: file.sessionId,
        transferId: command.transferId,
        ...(file.declaredSize === undefined ? {} : { declaredSize: file.declaredSize }),
        ...(file.expectedChecksum === undefined ? {} : { expectedChecksum: file.expectedChecksum }),
        offset: source.resumedFrom,
        body: source.body,
        onChunk: this.activity.tracker({ sessionId: file.sessionId, owner }, 'pull'),
        signal,
      });
      const decided = await this.decisions.recordReceived(
        { sessionId: file.sessionId, name: file.name, transferId: command.transferId },
        {
          size: staged.received,
          digests: await staged.digests(),
          warnings: source.warnings.map((warning): SourceWarning => ({
            type: warning.type,
            message: message(
              `com.vmware.vdcs.cls-main.${warning.type.toLowerCase()}`,
              warning.message,
              [file.name],
            ),
          })),
        },
        metadata,
      );
      return decided.state.status === 'ERROR' ? 'failed' : 'received';
    } catch (error) {
      if (unwanted.signal.aborted) return 'skipped';
      if (command.shutdown.aborted) throw error;
      const reason = this.reasonOf(file, error);
      if (reason === undefined && !command.lastAttempt) throw error;
      await this.decisions.failTransfer(
        { sessionId: file.sessionId, name: file.name, transferId: command.transferId },
        reason ?? this.unexpected(file, error),
        metadata,
      );
      return 'failed';
    } finally {
      clearInterval(watch);
    }
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

  /** Permanent causes as the user should read them; undefined when another attempt may succeed. */
  private reasonOf(file: SessionFileView, error: unknown): Message | undefined {
    if (error instanceof TooLong) {
      return message(
        'com.vmware.vdcs.cls-main.file_too_long',
        `File ${file.name}: the source sent more than the declared ${file.declaredSize} bytes.`,
        [file.name, String(file.declaredSize)],
      );
    }
    if (error instanceof PullSourceError && error.permanent) {
      return message(
        'com.vmware.vdcs.cls-main.file_pull_failed',
        `File ${file.name}: ${error.message}`,
        [file.name, error.message],
      );
    }
    return undefined;
  }

  private unexpected(file: SessionFileView, error: unknown): Message {
    const cause = error instanceof Error ? error.message : String(error);
    return message(
      'com.vmware.vdcs.cls-main.file_pull_failed',
      `File ${file.name}: the transfer kept failing; last error: ${cause}`,
      [file.name, cause],
    );
  }
}
