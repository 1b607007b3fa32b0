import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';

import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import type { JobContext } from '@cls/context';
import { jobMetadata } from '@cls/context';
import type { ArchiveMember } from '@cls/domain';
import { message, OVF_ITEM_TYPE, ovfRole, updateSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';
import { OvfError, unpackOva } from '@cls/ovf';
import { ContentStorage, StagingWriter } from '@cls/transfer';

import { TransferDecisions } from '../content/transfer-decisions';

export class UnpackUpdateSessionArchiveCommand extends Command<void> {
  constructor(
    readonly context: JobContext,
    readonly sessionId: string,
    readonly transferId: string,
  ) {
    super();
  }
}

/**
 * An `.ova` uploaded into an OVF item is unpacked (contract §8.6): its members stream from the
 * staged archive into staging files of their own, then one event swaps the archive entry for
 * them. A malformed or hostile archive fails the file and the session with the reason.
 */
@CommandHandler(UnpackUpdateSessionArchiveCommand)
export class UnpackUpdateSessionArchiveHandler implements ICommandHandler<UnpackUpdateSessionArchiveCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly decisions: TransferDecisions,
    private readonly storage: ContentStorage,
    private readonly writer: StagingWriter,
  ) {}

  async execute({
    context,
    sessionId,
    transferId,
  }: UnpackUpdateSessionArchiveCommand): Promise<void> {
    const { state } = await this.runner.load(updateSessionDecider, sessionId);
    if (state.status !== 'ACTIVE' || state.itemType !== OVF_ITEM_TYPE) return;
    const archive = Object.values(state.files).find(
      (file) => file.transferId === transferId && file.status === 'READY',
    );
    if (!archive || ovfRole(archive.name) !== 'archive') return;
    const metadata = jobMetadata(context, 'UnpackUpdateSessionArchive');
    const members: ArchiveMember[] = [];
    try {
      await unpackOva(
        createReadStream(this.storage.stagingPath(sessionId, transferId)),
        async (entry) => {
          const member = randomUUID();
          const staged = await this.writer.stage({
            sessionId,
            transferId: member,
            declaredSize: entry.size,
            offset: 0,
            body: entry.stream,
          });
          members.push({
            name: entry.name,
            transferId: member,
            size: staged.received,
            digests: await staged.digests(),
          });
        },
      );
    } catch (error) {
      if (!(error instanceof OvfError)) throw error;
      await Promise.all(
        members.map((member) => this.storage.discardTransfer(sessionId, member.transferId)),
      );
      await this.decisions.failTransfer(
        { sessionId, name: archive.name, transferId },
        message(
          'com.vmware.vdcs.cls-main.ova_invalid',
          `File ${archive.name} is not a usable OVA package: ${error.message}`,
          [archive.name, error.message],
        ),
        metadata,
      );
      return;
    }
    await this.decisions.decide(
      sessionId,
      [{ type: 'UnpackUpdateSessionArchive', name: archive.name, transferId, members }],
      metadata,
    );
    await this.storage.discardTransfer(sessionId, transferId);
  }
}
