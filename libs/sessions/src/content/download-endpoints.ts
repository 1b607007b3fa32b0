import { pathToFileURL } from 'node:url';

import { Inject, Injectable } from '@nestjs/common';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { notFound } from '@cls/domain';
import { ContentStorage, DataPlaneTokens } from '@cls/transfer';

import type { DownloadFileView, DownloadSessionView } from '../queries/download-session.queries';
import { LibraryQueries } from '../queries/library.queries';

/**
 * Where a prepared file can be fetched (§6.3): HTTPS is a capability URL on this server, like the
 * upload URLs; DIRECT is the `file://` URI of the pinned stored bytes.
 */
@Injectable()
export class DownloadEndpoints {
  constructor(
    private readonly tokens: DataPlaneTokens,
    private readonly storage: ContentStorage,
    private readonly libraries: LibraryQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async uriOf(
    baseUrl: string,
    session: DownloadSessionView,
    file: DownloadFileView,
  ): Promise<string | undefined> {
    if (file.status !== 'PREPARED') return undefined;
    if (file.endpointType === 'DIRECT') {
      return pathToFileURL(await this.storedPath(session, file)).toString();
    }
    const base = this.config.publicUrl ?? baseUrl;
    return `${base}/cls/data/${await this.tokens.tokenFor(file.fileId)}/${encodeURIComponent(file.name)}`;
  }

  /** The pinned bytes of a file: its version's stored path under the library's folder. */
  async storedPath(session: DownloadSessionView, file: DownloadFileView): Promise<string> {
    const library = await this.libraries.find(session.libraryId);
    if (!library) throw notFound('file', file.name);
    return this.storage.storedPath(
      this.storage.libraryFolder(library.id, library.storageBacking),
      file.storageKey,
    );
  }
}
