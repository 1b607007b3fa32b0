import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG, failpoint } from '@cls/config';
import type {
  CompleteUpdateSession,
  IncomingFile,
  SessionFile,
  UpdateSessionState,
} from '@cls/domain';
import {
  concurrentModification,
  DomainError,
  invalidSessionState,
  isOvfMetadataFile,
  OVF_ITEM_TYPE,
  libraryItemDecider,
  notFound,
  transfersOf,
  updateSessionDecider,
} from '@cls/domain';
import type { EventMetadata } from '@cls/event-store';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

import { LibraryFolders } from '../content/library-folders';
import { OvfAdapter } from '../content/ovf-adapter';
import { PullSourceSecrets } from '../content/pull-source-secrets';

/** An OVF package's manifest and certificate are consumed by validation, not stored (§8.6). */
function consumedByValidation(session: { readonly itemType?: string }, file: SessionFile): boolean {
  return session.itemType === OVF_ITEM_TYPE && isOvfMetadataFile(file.name);
}

/** What a session that ended leaves in staging: a DONE one only what its commit did not store. */
function leftInStaging(session: UpdateSessionState): readonly string[] {
  if (session.status !== 'DONE') return transfersOf(session);
  return Object.values(session.files).flatMap((file) =>
    file.transferId !== undefined && consumedByValidation(session, file) ? [file.transferId] : [],
  );
}

/** What `complete` made ready on disk for one version of the session, before deciding on it. */
interface PreparedCompletion {
  readonly version: number;
  readonly command: CompleteUpdateSession;
  /** When the decider completes the session: the item's new content, its files already in place. */
  readonly commit?: {
    readonly itemId: string;
    readonly incoming: readonly IncomingFile[];
    readonly kept: readonly string[];
  };
}

/** The session changed between `complete`'s preparation and its decision. */
class SessionMovedOn extends Error {}

/** How many times `complete` prepares again for a session that keeps changing. */
const PREPARE_ATTEMPTS = 5;

/**
 * Whether the decider completes this session now. A refusal here is no answer yet: the state may
 * be stale, and the plan, deciding on a state the commit proves, gives the refusal or prepares
 * again.
 */
function completesOn(session: UpdateSessionState, command: CompleteUpdateSession): boolean {
  try {
    return updateSessionDecider
      .decide(command, session)
      .some((event) => event.type === 'UpdateSessionCompleted');
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
}

function liveItem<T extends { readonly status: string }>(
  item: T,
  itemId: string,
): Extract<T, { readonly status: 'LIVE' }> {
  if (item.status !== 'LIVE') throw notFound('library_item', itemId);
  return item as Extract<T, { readonly status: 'LIVE' }>;
}

/**
 * `complete` (contract §8.4): the session goes DONE and the item gets its new file list in one
 * transaction. Everything that touches the disk comes first, outside the decision's re-runnable
 * plan: the OVF adapter's findings, and the move of the staged bytes to never-reused stored paths
 * (idempotent: a retried complete finds them moved). A crash before the commit leaves the old
 * content (the moved files are unreferenced, for the collector). The plan then decides on the very
 * session version that was prepared, or prepares again. Nobody sees the new content before the
 * transaction commits.
 */
@Injectable()
export class UpdateSessionCompletion {
  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly storage: ContentStorage,
    private readonly folders: LibraryFolders,
    private readonly secrets: PullSourceSecrets,
    private readonly ovf: OvfAdapter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Completes now, or records that the worker must once the pulls in flight land (the session stays
   * ACTIVE); un-ignored warnings fail the session and the caller hears why.
   */
  async complete(command: CompleteUpdateSession, metadata: EventMetadata): Promise<void> {
    const outcome = await this.decideAsPrepared(command, metadata);
    if (outcome.status === 'ACTIVE') return;
    // What the session kept aside goes now; the fleet sweep clears it after a crash in between.
    await Promise.all([
      this.storage.discardSession(command.sessionId, leftInStaging(outcome)),
      this.secrets.forgetSession(command.sessionId, outcome),
    ]);
    if (outcome.status === 'ERROR') {
      throw invalidSessionState('complete', outcome.status, outcome.errorMessage?.defaultMessage);
    }
  }

  private async decideAsPrepared(
    command: CompleteUpdateSession,
    metadata: EventMetadata,
  ): Promise<UpdateSessionState> {
    for (let attempt = 1; ; attempt += 1) {
      const prepared = await this.prepare(command);
      try {
        const { result } = await this.runner.transact(async (scope) => {
          const { version } = await scope.load(updateSessionDecider, command.sessionId);
          if (version !== prepared.version) throw new SessionMovedOn();
          const decided = await scope.decide(
            updateSessionDecider,
            command.sessionId,
            prepared.command,
          );
          const { commit } = prepared;
          if (commit) {
            // Decided on, so the commit proves the item's state current.
            const { state: item } = await scope.load(libraryItemDecider, commit.itemId);
            liveItem(item, commit.itemId);
            await scope.decide(libraryItemDecider, commit.itemId, {
              type: 'CommitLibraryItemContent',
              itemId: commit.itemId,
              sessionId: command.sessionId,
              incoming: commit.incoming,
              kept: commit.kept,
              now: command.now,
            });
          }
          return decided.state;
        }, metadata);
        return result;
      } catch (error) {
        if (!(error instanceof SessionMovedOn)) throw error;
        if (attempt >= PREPARE_ATTEMPTS) throw concurrentModification(attempt);
      }
    }
  }

  /**
   * Reads the session, judges its files (the OVF adapter reads them from disk), asks the decider
   * (pure, so its answer holds for this version) whether it would complete, and if so moves the
   * files to be stored into place.
   */
  private async prepare(command: CompleteUpdateSession): Promise<PreparedCompletion> {
    const { state: session, version } = await this.runner.lastKnown(
      updateSessionDecider,
      command.sessionId,
    );
    if (session.status !== 'ACTIVE') return { version, command };
    const findings = await this.ovf.findings(session);
    const judged: CompleteUpdateSession = {
      ...command,
      ...(findings === undefined ? {} : { adapterFindings: findings }),
    };
    if (!completesOn(session, judged)) return { version, command: judged };

    const item = liveItem(
      (await this.runner.lastKnown(libraryItemDecider, session.libraryItemId)).state,
      session.libraryItemId,
    );
    const folder = await this.folders.folderOf(item.libraryId);
    if (folder === undefined) throw notFound('library', item.libraryId);
    const incoming: IncomingFile[] = [];
    const kept: string[] = [];
    for (const file of Object.values(session.files)) {
      if (file.sourceType === 'NONE' || file.transferId === undefined) {
        kept.push(file.name);
        continue;
      }
      if (consumedByValidation(session, file)) continue;
      const storageKey = this.storage.storageKey(item.itemId, file.name, file.transferId);
      await this.storage.promote(
        this.storage.stagingPath(session.sessionId, file.transferId),
        this.storage.storedPath(folder, storageKey),
      );
      incoming.push({
        name: file.name,
        size: file.size ?? 0,
        digests: file.digests ?? {},
        storageKey,
      });
    }
    failpoint(this.config, 'complete:files-moved');
    return { version, command: judged, commit: { itemId: item.itemId, incoming, kept } };
  }
}
