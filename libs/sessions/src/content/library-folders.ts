import { Injectable } from '@nestjs/common';

import { libraryDecider } from '@cls/domain';
import { DeciderCommandRunner } from '@cls/event-store';
import { ContentStorage } from '@cls/transfer';

/**
 * Where each library keeps its stored files. A library's storage backing is fixed when it is
 * created and kept after it is deleted (its pinned bytes are still there), so each process reads
 * it once per library.
 */
@Injectable()
export class LibraryFolders {
  private readonly folders = new Map<string, string>();

  constructor(
    private readonly runner: DeciderCommandRunner,
    private readonly storage: ContentStorage,
  ) {}

  /** The library's folder, or undefined for a library that never existed. */
  async folderOf(libraryId: string): Promise<string | undefined> {
    const known = this.folders.get(libraryId);
    if (known !== undefined) return known;
    const { state: library } = await this.runner.load(libraryDecider, libraryId);
    if (library.status === 'EMPTY' || library.storageBacking === undefined) return undefined;
    const folder = this.storage.libraryFolder(library.libraryId, library.storageBacking);
    this.folders.set(libraryId, folder);
    return folder;
  }
}
