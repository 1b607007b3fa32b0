import type { FileHandle } from 'node:fs/promises';
import {
  copyFile,
  link,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { OnApplicationBootstrap } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { StorageBacking } from '@cls/domain';

/** The suffix of a stored file still being copied into place across file systems. */
const PARTIAL_SUFFIX = '.partial';

/** Between the session and the transfer in a staged file's name (neither id holds a dot). */
const STAGED_NAME_SEPARATOR = '.';

/**
 * Copies a file across file systems: under `<to>.partial` first, then renamed, so `to` is never
 * seen half written (and the collector counts the partial copy as `to`'s).
 */
async function copyIntoPlace(from: string, to: string): Promise<void> {
  const partial = `${to}${PARTIAL_SUFFIX}`;
  await copyFile(from, partial);
  await rename(partial, to);
}

function ignoring(...codes: string[]): (error: unknown) => void {
  return (error) => {
    if (!codes.includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  };
}

/** An extension the stored name keeps: a dot and up to 15 letters or digits. */
const KEPT_EXTENSION = /^\.[0-9A-Za-z]{1,15}$/;

/** A rename's error, or undefined when it worked. */
const tryRename = (from: string, to: string): Promise<NodeJS.ErrnoException | undefined> =>
  rename(from, to).then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error,
  );

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Where bytes live. Uploads are staged as `STORAGE_ROOT/staging/<session>.<transfer>`; a
 * completed session's files move to `<library folder>/<item>/<transfer><ext>`, a path no other
 * version uses, so committing is one database transaction and old versions stay readable.
 * Paths are built from ids and validated names only: nothing a client sends can name a path.
 */
@Injectable()
export class ContentStorage implements OnApplicationBootstrap {
  private readonly stagingRoot: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.stagingRoot = resolve(config.storageRoot, 'staging');
  }

  /** Like the schema's migrations, the staging layout is brought up to date as a process starts. */
  async onApplicationBootstrap(): Promise<void> {
    await this.adoptFolderPerSessionStaging();
  }

  /**
   * A transfer's staging file: one flat folder, each file named `<session>.<transfer>`, so staging
   * and discarding cost no folder per session, and one listing still tells whose bytes are whose.
   */
  stagingPath(sessionId: string, transferId: string): string {
    return join(this.stagingRoot, `${sessionId}${STAGED_NAME_SEPARATOR}${transferId}`);
  }

  /**
   * Opens a transfer's staging file for writing (`r+` continues one, `w` starts it over), making
   * the staging folder the first time anything is staged.
   */
  openStaging(sessionId: string, transferId: string, flags: 'r+' | 'w'): Promise<FileHandle> {
    const path = this.stagingPath(sessionId, transferId);
    return flags === 'w' ? this.makingStagingFolder(() => open(path, flags)) : open(path, flags);
  }

  /** Stages a whole transfer's bytes at once (a small body), over whatever was staged before. */
  async writeStaging(sessionId: string, transferId: string, bytes: Uint8Array): Promise<void> {
    const path = this.stagingPath(sessionId, transferId);
    await this.makingStagingFolder(() => writeFile(path, bytes));
  }

  /** Runs `create`, and once more after making the staging folder if that was missing. */
  private async makingStagingFolder<T>(create: () => Promise<T>): Promise<T> {
    try {
      return await create();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(this.stagingRoot, { recursive: true });
      return create();
    }
  }

  /** The staged file's size and last write, or undefined when nothing is staged. */
  async stagedFile(
    sessionId: string,
    transferId: string,
  ): Promise<{ size: number; modified: Date } | undefined> {
    return stat(this.stagingPath(sessionId, transferId)).then(
      (info) => ({ size: info.size, modified: info.mtime }),
      () => undefined,
    );
  }

  /** Bytes already staged for a transfer (0 when nothing arrived yet). */
  async stagedSize(sessionId: string, transferId: string): Promise<number> {
    return (await this.stagedFile(sessionId, transferId))?.size ?? 0;
  }

  libraryFolder(libraryId: string, backing: StorageBacking): string {
    const base =
      backing.type === 'DATASTORE'
        ? this.config.datastores.find((datastore) => datastore.id === backing.datastoreId)?.path
        : fileURLToPath(backing.storageUri);
    if (base === undefined)
      throw new Error(
        `datastore ${backing.type === 'DATASTORE' ? backing.datastoreId : ''} is not configured`,
      );
    return join(base, `contentlib-${libraryId}`);
  }

  /**
   * Where an item keeps a file a session committed: `<item>/<transfer><.ext>`, named by its
   * transfer (unique, never reused) rather than by the client's name, which may be 255 bytes long
   * already; the name lives in the views. The extension stays, for whoever browses the datastore,
   * when it is short and plain.
   */
  storageKey(itemId: string, name: string, transferId: string): string {
    const extension = extname(name);
    return `${itemId}/${transferId}${KEPT_EXTENSION.test(extension) ? extension : ''}`;
  }

  storedPath(libraryFolder: string, storageKey: string): string {
    return join(libraryFolder, storageKey);
  }

  /**
   * Moves a staged file to its stored path. Safe to repeat: a retried commit finds it moved already.
   * Across file systems (a datastore on another disk) it copies, then renames into place.
   */
  async promote(staged: string, stored: string): Promise<void> {
    // Tried first, as it nearly always works: one system call for a small file's whole move.
    const moved = await tryRename(staged, stored);
    if (moved === undefined) return;
    if (moved.code === 'EXDEV') {
      await mkdir(dirname(stored), { recursive: true });
      await copyIntoPlace(staged, stored);
      await rm(staged, { force: true });
      return;
    }
    if (moved.code !== 'ENOENT') throw moved;
    if (await exists(staged)) {
      await mkdir(dirname(stored), { recursive: true }); // the item's first stored file
      const again = await tryRename(staged, stored);
      if (again === undefined) return;
      if (again.code !== 'ENOENT') throw again;
    }
    // Gone from staging: moved by an earlier try of the same commit, or by one running beside
    // this (two completion jobs of one session), whose commit then decides the session.
    if (await exists(stored)) return;
    throw moved;
  }

  /**
   * Gives a stored file a second name (a copied item's), sharing its bytes: a hard link, or a copy
   * where the two are on different file systems. Safe to repeat: a retried copy finds it there.
   */
  async linkStored(stored: string, copy: string): Promise<void> {
    await mkdir(dirname(copy), { recursive: true });
    const linked = await link(stored, copy).then(
      () => undefined,
      (error: NodeJS.ErrnoException) => error,
    );
    if (linked === undefined || linked.code === 'EEXIST') return;
    if (linked.code !== 'EXDEV') throw linked;
    await copyIntoPlace(stored, copy);
  }

  /**
   * The storage keys present on disk for an item, each with the key it belongs to: a copy still
   * in progress (`<key>.partial`) belongs to the key it will become.
   */
  async storedKeys(
    libraryFolder: string,
    itemId: string,
  ): Promise<readonly { readonly key: string; readonly of: string }[]> {
    const names = await readdir(join(libraryFolder, itemId)).catch((error: unknown) => {
      ignoring('ENOENT')(error);
      return [];
    });
    return names.map((name) => {
      const key = `${itemId}/${name}`;
      return { key, of: key.endsWith(PARTIAL_SUFFIX) ? key.slice(0, -PARTIAL_SUFFIX.length) : key };
    });
  }

  /** A stored key is always a file: one `unlink`, no `rm` with its `lstat` first. */
  async removeStored(libraryFolder: string, storageKey: string): Promise<void> {
    await unlink(this.storedPath(libraryFolder, storageKey)).catch(ignoring('ENOENT'));
  }

  /** Removes a deleted item's folder once it is empty. */
  async removeItemFolder(libraryFolder: string, itemId: string): Promise<void> {
    await rmdir(join(libraryFolder, itemId)).catch(ignoring('ENOENT', 'ENOTEMPTY'));
  }

  /** Removes a deleted library's folder once it is empty. */
  async removeLibraryFolder(libraryFolder: string): Promise<void> {
    await rmdir(libraryFolder).catch(ignoring('ENOENT', 'ENOTEMPTY'));
  }

  /** Every session with bytes in staging, and the transfers they belong to. */
  async stagedTransfers(): Promise<ReadonlyMap<string, readonly string[]>> {
    const staged = new Map<string, string[]>();
    for (const name of await this.stagingNames()) {
      const [sessionId, transferId, extra] = name.split(STAGED_NAME_SEPARATOR);
      if (transferId === undefined || extra !== undefined) continue;
      staged.set(sessionId!, [...(staged.get(sessionId!) ?? []), transferId]);
    }
    return staged;
  }

  async discardTransfer(sessionId: string, transferId: string): Promise<void> {
    await unlink(this.stagingPath(sessionId, transferId)).catch(ignoring('ENOENT'));
  }

  /** Discards what these transfers of a session staged; those that staged nothing cost a lookup. */
  async discardSession(sessionId: string, transferIds: Iterable<string>): Promise<void> {
    await Promise.all(
      [...transferIds].map((transferId) => this.discardTransfer(sessionId, transferId)),
    );
  }

  /**
   * Moves what an earlier version staged in a folder per session (`<session>/<transfer>`) to the
   * flat names, so uploads under way across an upgrade resume and complete. Safe to run in every
   * process at once: a file another process moved first is skipped.
   */
  async adoptFolderPerSessionStaging(): Promise<void> {
    const entries = await readdir(this.stagingRoot, { withFileTypes: true }).catch(
      (error: unknown) => {
        ignoring('ENOENT')(error);
        return [];
      },
    );
    for (const folder of entries.filter((entry) => entry.isDirectory())) {
      const sessionId = folder.name;
      const transfers = await readdir(join(this.stagingRoot, sessionId)).catch((error: unknown) => {
        ignoring('ENOENT')(error);
        return [];
      });
      for (const transferId of transfers) {
        await rename(
          join(this.stagingRoot, sessionId, transferId),
          this.stagingPath(sessionId, transferId),
        ).catch(ignoring('ENOENT'));
      }
      await rmdir(join(this.stagingRoot, sessionId)).catch(ignoring('ENOENT', 'ENOTEMPTY'));
    }
  }

  private async stagingNames(): Promise<string[]> {
    return readdir(this.stagingRoot).catch((error: unknown) => {
      ignoring('ENOENT')(error);
      return [];
    });
  }
}
