import { copyFile, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { StorageBacking } from '@cls/domain';

/** The suffix of a stored file still being copied into place across file systems. */
const PARTIAL_SUFFIX = '.partial';

function ignoring(...codes: string[]): (error: unknown) => void {
  return (error) => {
    if (!codes.includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Where bytes live. Uploads are staged under `STORAGE_ROOT/staging/<session>/<transfer>`; a
 * completed session's files move to `<library folder>/<item>/<name>_<transfer><ext>`, a path no
 * other version uses, so committing is one database transaction and old versions stay readable.
 * Paths are built from ids and validated names only (issue 3 "Bad input").
 */
@Injectable()
export class ContentStorage {
  private readonly stagingRoot: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.stagingRoot = resolve(config.storageRoot, 'staging');
  }

  stagingPath(sessionId: string, transferId: string): string {
    return join(this.stagingRoot, sessionId, transferId);
  }

  async prepareStaging(sessionId: string): Promise<void> {
    await mkdir(join(this.stagingRoot, sessionId), { recursive: true });
  }

  /** Bytes already staged for a transfer (0 when nothing arrived yet). */
  async stagedSize(sessionId: string, transferId: string): Promise<number> {
    return stat(this.stagingPath(sessionId, transferId)).then(
      (info) => info.size,
      () => 0,
    );
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

  /** Like vCenter, a stored name carries a unique suffix: `<base>_<transfer><ext>`. */
  storageKey(itemId: string, name: string, transferId: string): string {
    const extension = extname(name);
    return `${itemId}/${name.slice(0, name.length - extension.length)}_${transferId}${extension}`;
  }

  storedPath(libraryFolder: string, storageKey: string): string {
    return join(libraryFolder, storageKey);
  }

  /**
   * Moves a staged file to its stored path. Safe to repeat: a retried commit finds it moved already.
   * Across file systems (a datastore on another disk) it copies, then renames into place.
   */
  async promote(staged: string, stored: string): Promise<void> {
    if (!(await exists(staged)) && (await exists(stored))) return;
    await mkdir(dirname(stored), { recursive: true });
    try {
      await rename(staged, stored);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      const partial = `${stored}${PARTIAL_SUFFIX}`;
      await copyFile(staged, partial);
      await rename(partial, stored);
      await rm(staged, { force: true });
    }
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

  async removeStored(libraryFolder: string, storageKey: string): Promise<void> {
    await rm(this.storedPath(libraryFolder, storageKey), { force: true });
  }

  /** Removes a deleted item's folder once it is empty. */
  async removeItemFolder(libraryFolder: string, itemId: string): Promise<void> {
    await rmdir(join(libraryFolder, itemId)).catch(ignoring('ENOENT', 'ENOTEMPTY'));
  }

  /** Removes a deleted library's folder once it is empty. */
  async removeLibraryFolder(libraryFolder: string): Promise<void> {
    await rmdir(libraryFolder).catch(ignoring('ENOENT', 'ENOTEMPTY'));
  }

  async discardTransfer(sessionId: string, transferId: string): Promise<void> {
    await rm(this.stagingPath(sessionId, transferId), { force: true });
  }

  async discardSession(sessionId: string): Promise<void> {
    await rm(join(this.stagingRoot, sessionId), { recursive: true, force: true });
  }
}
