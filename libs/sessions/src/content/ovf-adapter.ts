import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

import { Injectable } from '@nestjs/common';

import type {
  ActiveUpdateSession,
  AdapterFindings,
  ChecksumAlgorithm,
  Digests,
  SessionFile,
} from '@cls/domain';
import { message, notFound, OVF_ITEM_TYPE, ovfRole } from '@cls/domain';
import type { OvfManifest } from '@cls/ovf';
import { MAX_DESCRIPTOR_BYTES, parseOvfManifest, inspectOvfPackage } from '@cls/ovf';
import { ContentStorage, NODE_HASH_NAME } from '@cls/transfer';

import { LibraryItemQueries } from '../queries/library-item.queries';
import { LibraryQueries } from '../queries/library.queries';

/** A manifest is a few lines per file; anything this large is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * The OVF adapter (contract §8.6) over a session's files as they are now: it reads the received
 * descriptor and manifest from disk and reports what the package requires but lacks and what
 * does not match the manifest. Items of other types have no adapter (`undefined`).
 */
@Injectable()
export class OvfAdapter {
  constructor(
    private readonly storage: ContentStorage,
    private readonly items: LibraryItemQueries,
    private readonly libraries: LibraryQueries,
  ) {}

  async findings(session: ActiveUpdateSession): Promise<AdapterFindings | undefined> {
    if (session.itemType !== OVF_ITEM_TYPE) return undefined;
    const files = Object.values(session.files);
    const ready = (role: string) =>
      files.find((file) => ovfRole(file.name) === role && file.status === 'READY');
    const descriptor = ready('descriptor');
    const manifestFile = ready('manifest');
    const manifestText =
      manifestFile && (await this.readSmall(session, manifestFile, MAX_MANIFEST_BYTES));
    const manifest = manifestText === undefined ? undefined : tryParse(manifestText);
    const problems = inspectOvfPackage({
      ...(descriptor
        ? {
            descriptor: {
              name: descriptor.name,
              xml: (await this.readSmall(session, descriptor, MAX_DESCRIPTOR_BYTES)) ?? '',
            },
          }
        : {}),
      ...(manifestText === undefined ? {} : { manifest: manifestText }),
      files: await Promise.all(
        files.map(async (file) => ({
          name: file.name,
          status: file.status,
          digests: await this.digestsFor(session, file, manifest),
        })),
      ),
    });
    // A manifest too large to be one is not skipped: the package is refused until it is fixed.
    const oversizedManifest =
      manifestFile && manifestText === undefined
        ? [{ name: manifestFile.name, reason: `it is larger than ${MAX_MANIFEST_BYTES} bytes` }]
        : [];
    return {
      missingFiles: problems.missingFiles,
      invalidFiles: [...oversizedManifest, ...problems.invalidFiles].map(({ name, reason }) => ({
        name,
        errorMessage: message(
          'com.vmware.vdcs.cls-main.ovf_invalid_file',
          `File ${name} of the OVF package is invalid: ${reason}`,
          [name, reason],
        ),
      })),
    };
  }

  /**
   * Reads a session file's bytes where they are now: staged for this session, or stored for the
   * item (an untouched file, or one a completion moved into place before it had to start over).
   */
  private async readBytes<T>(
    session: ActiveUpdateSession,
    file: SessionFile,
    read: (path: string) => Promise<T>,
  ): Promise<T> {
    if (file.sourceType === 'NONE' || file.transferId === undefined)
      return read(await this.storedPath(session, file, file.storageKey));
    const { transferId } = file;
    return read(this.storage.stagingPath(session.sessionId, transferId)).catch(
      async (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        const key = this.storage.storageKey(session.libraryItemId, file.name, transferId);
        return read(await this.storedPath(session, file, key));
      },
    );
  }

  private async storedPath(
    session: ActiveUpdateSession,
    file: SessionFile,
    storageKey: string | undefined,
  ): Promise<string> {
    const item = await this.items.require(session.libraryItemId);
    const library = await this.libraries.find(item.libraryId);
    if (!library || storageKey === undefined) throw notFound('file', file.name);
    return this.storage.storedPath(
      this.storage.libraryFolder(library.id, library.storageBacking),
      storageKey,
    );
  }

  /** The file's text, or undefined when it is too large to be what its name says (then invalid). */
  private async readSmall(
    session: ActiveUpdateSession,
    file: SessionFile,
    limit: number,
  ): Promise<string | undefined> {
    if ((file.size ?? 0) > limit) return undefined;
    return this.readBytes(session, file, (path) => readFile(path, 'utf8'));
  }

  /**
   * The file's digests plus the one its manifest line uses, computed from disk when the upload
   * did not ask for that algorithm (manifests usually say SHA256; every upload has SHA-1).
   */
  private async digestsFor(
    session: ActiveUpdateSession,
    file: SessionFile,
    manifest: OvfManifest | undefined,
  ): Promise<Digests> {
    const digests = file.digests ?? {};
    const algorithm: ChecksumAlgorithm | undefined = manifest?.get(file.name)?.algorithm;
    if (algorithm === undefined || file.status !== 'READY' || digests[algorithm] !== undefined)
      return digests;
    const digest = await this.readBytes(session, file, async (path) => {
      const hash = createHash(NODE_HASH_NAME[algorithm]);
      await pipeline(createReadStream(path), hash);
      return hash.digest('hex');
    });
    return { ...digests, [algorithm]: digest };
  }
}

/** A broken manifest is reported by the package inspection; here it only means "no digests to add". */
function tryParse(text: string): OvfManifest | undefined {
  try {
    return parseOvfManifest(text);
  } catch {
    return undefined;
  }
}
