import { randomUUID } from 'node:crypto';

import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import { requirePrivilege } from '@cls/access';
import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import { libraryDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';

import { idFromClientToken, requireUuidToken } from '../shared/client-token';
import type { StorageBackingInput } from '../shared/storage-backings';
import { resolveStorageBacking } from '../shared/storage-backings';

export interface CreateLocalLibraryInput {
  readonly name: string;
  readonly description?: string;
  readonly storageBackings: readonly StorageBackingInput[];
  readonly serverGuid?: string;
  readonly extras?: Readonly<Record<string, unknown>>;
  readonly clientToken?: string;
}

export class CreateLocalLibraryCommand extends Command<string> {
  constructor(
    readonly context: RequestContext,
    readonly input: CreateLocalLibraryInput,
  ) {
    super();
  }
}

@CommandHandler(CreateLocalLibraryCommand)
export class CreateLocalLibraryHandler implements ICommandHandler<CreateLocalLibraryCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, input }: CreateLocalLibraryCommand): Promise<string> {
    requirePrivilege(context.caller, 'ContentLibrary.CreateLocalLibrary', { kind: 'global' });
    const clientToken = requireUuidToken(input.clientToken);
    const libraryId =
      clientToken === undefined
        ? randomUUID()
        : idFromClientToken('library', context.caller.user, clientToken);
    await this.runner.execute(
      libraryDecider,
      libraryId,
      {
        type: 'CreateLocalLibrary',
        libraryId,
        name: input.name,
        description: input.description ?? '',
        storageBackings: input.storageBackings.map((backing) =>
          resolveStorageBacking(this.config, backing),
        ),
        ...(input.serverGuid === undefined ? {} : { serverGuid: input.serverGuid }),
        ...(input.extras === undefined ? {} : { extras: input.extras }),
        ...(clientToken === undefined ? {} : { clientToken }),
        now: this.clock.now().toISOString(),
      },
      metadataFor(context, 'CreateLocalLibrary'),
    );
    return libraryId;
  }
}
