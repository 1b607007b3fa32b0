import { randomUUID } from 'node:crypto';

import { Inject } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { Command, CommandHandler } from '@nestjs/cqrs';

import { requirePrivilege } from '@cls/access';
import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { RequestContext } from '@cls/context';
import { Clock, metadataFor } from '@cls/context';
import type { ChecksumInfo, SourceType, TransferEndpoint, UpdateSessionState } from '@cls/domain';
import { invalidArgument, updateSessionDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage, normalizeThumbprint } from '@cls/transfer';

import { PullSourceSecrets } from '../content/pull-source-secrets';
import { LibraryItemQueries } from '../queries/library-item.queries';
import type { SessionFileView } from '../queries/update-session-file.queries';
import { sessionFileFromState } from '../queries/update-session-file.queries';
import { UpdateSessionQueries } from '../queries/update-session.queries';

export interface AddFileInput {
  readonly name: string;
  readonly sourceType: SourceType;
  readonly size?: number;
  readonly checksumInfo?: ChecksumInfo;
  readonly sourceEndpoint?: TransferEndpoint;
}

/** Answers the added file as the session now holds it. */
export class AddUpdateSessionFileCommand extends Command<SessionFileView> {
  constructor(
    readonly context: RequestContext,
    readonly sessionId: string,
    readonly input: AddFileInput,
  ) {
    super();
  }
}

export class RemoveUpdateSessionFileCommand extends Command<void> {
  constructor(
    readonly context: RequestContext,
    readonly sessionId: string,
    readonly name: string,
  ) {
    super();
  }
}

/** The transfer a name had before a decision, whose staged bytes are then obsolete. */
function transferOf(state: UpdateSessionState, name: string): string | undefined {
  return state.status === 'ACTIVE' ? state.files[name]?.transferId : undefined;
}

/** What a replaced or removed file leaves: staged bytes and, for a pull, the source's full URL. */
async function discardTransfer(
  storage: ContentStorage,
  secrets: PullSourceSecrets,
  sessionId: string,
  transferId: string,
): Promise<void> {
  await Promise.all([storage.discardTransfer(sessionId, transferId), secrets.forget(transferId)]);
}

const LOCAL_SCHEMES = ['file:', 'ds:'];

function readsLocalStorage(endpoint: TransferEndpoint | undefined): boolean {
  try {
    return endpoint !== undefined && LOCAL_SCHEMES.includes(new URL(endpoint.uri).protocol);
  } catch {
    return false;
  }
}

/** The endpoint with its thumbprint in the one spelling we store and compare (upper-case, colons). */
function pinnedEndpoint(endpoint: TransferEndpoint | undefined): TransferEndpoint | undefined {
  if (endpoint?.sslCertificateThumbprint === undefined) return endpoint;
  const thumbprint = normalizeThumbprint(endpoint.sslCertificateThumbprint);
  if (thumbprint === undefined) {
    throw invalidArgument(
      'file_spec.source_endpoint.ssl_certificate_thumbprint',
      'expected the SHA-1 or SHA-256 thumbprint of the certificate in hex, plain or colon-separated',
    );
  }
  return { ...endpoint, sslCertificateThumbprint: thumbprint };
}

/**
 * `add` declares a file (replacing a same-named entry with a fresh transfer) and `remove` drops
 * one; the staged bytes of whatever they replace are discarded once the event is stored.
 */
@CommandHandler(AddUpdateSessionFileCommand)
export class AddUpdateSessionFileHandler implements ICommandHandler<AddUpdateSessionFileCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly sessions: UpdateSessionQueries,
    private readonly items: LibraryItemQueries,
    private readonly storage: ContentStorage,
    private readonly secrets: PullSourceSecrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({
    context,
    sessionId,
    input,
  }: AddUpdateSessionFileCommand): Promise<SessionFileView> {
    const transferId = randomUUID();
    const endpoint = pinnedEndpoint(input.sourceEndpoint);
    // What the event records: the URL without credentials or query; the full one is kept apart.
    const sourceEndpoint =
      endpoint === undefined || input.sourceType !== 'PULL'
        ? endpoint
        : { ...endpoint, uri: await this.secrets.keep(sessionId, transferId, endpoint.uri) };
    try {
      return await this.add(context, sessionId, input, transferId, sourceEndpoint);
    } catch (error) {
      await this.secrets.forget(transferId);
      throw error;
    }
  }

  private async add(
    context: RequestContext,
    sessionId: string,
    input: AddFileInput,
    transferId: string,
    sourceEndpoint: TransferEndpoint | undefined,
  ): Promise<SessionFileView> {
    if (input.sourceType === 'PULL' && readsLocalStorage(input.sourceEndpoint)) {
      // Reading the server's own storage needs ContentLibrary.ReadStorage on the item (§8.7).
      const session = await this.sessions.get(context.caller, sessionId);
      const item = await this.items.require(session.libraryItemId);
      requirePrivilege(context.caller, 'ContentLibrary.ReadStorage', {
        kind: 'library_item',
        id: item.id,
        libraryId: item.libraryId,
      });
    }
    const decided = await this.runner.execute(
      updateSessionDecider,
      sessionId,
      {
        type: 'AddUpdateSessionFile',
        sessionId,
        caller: context.caller,
        now: this.clock.now().toISOString(),
        timeoutSeconds: this.config.sessionTimeoutSeconds,
        name: input.name,
        sourceType: input.sourceType,
        transferId,
        ...(input.size === undefined ? {} : { declaredSize: input.size }),
        ...(input.checksumInfo === undefined ? {} : { expectedChecksum: input.checksumInfo }),
        ...(sourceEndpoint === undefined ? {} : { sourceEndpoint }),
      },
      metadataFor(context, 'AddUpdateSessionFile'),
    );
    const replaced = transferOf(decided.before, input.name);
    if (replaced !== undefined)
      await discardTransfer(this.storage, this.secrets, sessionId, replaced);
    const session = decided.state;
    const added = session.status === 'ACTIVE' ? session.files[input.name] : undefined;
    // The decider answers a successful add with the file in an ACTIVE session, or throws.
    if (session.status !== 'ACTIVE' || added === undefined)
      throw new Error(`add left no file ${input.name} in session ${sessionId}`);
    return sessionFileFromState(session, added);
  }
}

@CommandHandler(RemoveUpdateSessionFileCommand)
export class RemoveUpdateSessionFileHandler implements ICommandHandler<RemoveUpdateSessionFileCommand> {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly clock: Clock,
    private readonly storage: ContentStorage,
    private readonly secrets: PullSourceSecrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ context, sessionId, name }: RemoveUpdateSessionFileCommand): Promise<void> {
    const decided = await this.runner.execute(
      updateSessionDecider,
      sessionId,
      {
        type: 'RemoveUpdateSessionFile',
        sessionId,
        caller: context.caller,
        now: this.clock.now().toISOString(),
        timeoutSeconds: this.config.sessionTimeoutSeconds,
        name,
      },
      metadataFor(context, 'RemoveUpdateSessionFile'),
    );
    const removed = transferOf(decided.before, name);
    if (removed !== undefined)
      await discardTransfer(this.storage, this.secrets, sessionId, removed);
  }
}
