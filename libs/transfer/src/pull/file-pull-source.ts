import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

import type { OpenedSource } from './opened-source';
import { forLateReader } from './opened-source';
import { describeUrl, PullSourceError, systemErrorCode } from './pull-source-error';

/** A datastore id and the local folder its `ds://` paths live in. */
export interface DatastoreMapping {
  readonly id: string;
  readonly path: string;
}

export interface FileSourceOptions {
  readonly url: URL;
  /** Folders PULL sources may be read from; everything else is refused, symlinks included. */
  readonly importRoots: readonly string[];
  readonly datastores: readonly DatastoreMapping[];
  readonly offset: number;
  readonly signal?: AbortSignal;
}

/** `ds:///vmfs/volumes/<datastore-id>/<path>` */
const VOLUMES_PREFIX: readonly string[] = ['vmfs', 'volumes'];
const NOT_FOUND_CODES: readonly string[] = ['ENOENT', 'ENOTDIR'];
const UNREADABLE_CODES: readonly string[] = ['EACCES', 'EPERM', 'ELOOP', 'ENAMETOOLONG'];

function invalid(url: URL, why: string): PullSourceError {
  return new PullSourceError(`${describeUrl(url)} ${why}.`, {
    permanent: true,
    code: 'INVALID_URI',
  });
}

/** The percent-decoded path segments; none may decode to a separator, a dot segment or NUL. */
function segmentsOf(url: URL): string[] {
  return url.pathname
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        throw invalid(url, 'is not a valid percent-encoded path');
      }
      if (decoded.includes('/') || decoded.includes('\0') || decoded === '.' || decoded === '..') {
        throw invalid(url, 'has a path segment that is not a plain name');
      }
      return decoded;
    });
}

function decodeHost(url: URL): string {
  try {
    return decodeURIComponent(url.host);
  } catch {
    throw invalid(url, 'names a datastore that is not valid percent-encoding');
  }
}

function localPathOf(url: URL, datastores: readonly DatastoreMapping[]): string {
  const segments = segmentsOf(url);
  if (url.protocol === 'file:') {
    if (url.host !== '' && url.host !== 'localhost') throw invalid(url, 'names a remote host');
    return resolve('/', ...segments);
  }
  let id: string | undefined;
  let rest: string[];
  if (url.host !== '') {
    id = decodeHost(url);
    rest = segments;
  } else {
    const prefix = segments.slice(0, VOLUMES_PREFIX.length);
    if (prefix.join('/') !== VOLUMES_PREFIX.join('/')) {
      throw invalid(url, 'is not of the form ds:///vmfs/volumes/<datastore>/<path>');
    }
    id = segments[VOLUMES_PREFIX.length];
    rest = segments.slice(VOLUMES_PREFIX.length + 1);
  }
  const datastore = datastores.find((candidate) => candidate.id === id);
  if (id === undefined || datastore === undefined) {
    throw new PullSourceError(`Datastore ${id ?? '(none)'} of ${describeUrl(url)} is not known.`, {
      permanent: true,
      code: 'UNKNOWN_DATASTORE',
    });
  }
  return resolve(datastore.path, ...rest);
}

function isInside(root: string, path: string): boolean {
  const fromRoot = relative(root, path);
  return (
    fromRoot === '' ||
    (fromRoot !== '..' && !fromRoot.startsWith(`..${sep}`) && !isAbsolute(fromRoot))
  );
}

function fileError(shown: string, error: unknown): PullSourceError {
  const code = systemErrorCode(error);
  if (code !== undefined && NOT_FOUND_CODES.includes(code)) {
    return new PullSourceError(`File ${shown} does not exist.`, {
      permanent: true,
      code: 'FILE_NOT_FOUND',
      cause: error,
    });
  }
  return new PullSourceError(`File ${shown} cannot be read (${code ?? 'unknown error'}).`, {
    permanent: code !== undefined && UNREADABLE_CODES.includes(code),
    code: 'FILE_UNREADABLE',
    cause: error,
  });
}

function outsideRoots(shown: string): PullSourceError {
  // The roots themselves stay unnamed: they describe the server, not the user's request.
  return new PullSourceError(`Path ${shown} is outside the import roots.`, {
    permanent: true,
    code: 'PATH_OUTSIDE_ROOTS',
  });
}

async function realRoots(importRoots: readonly string[]): Promise<string[]> {
  const roots = await Promise.all(
    importRoots.map((root) => realpath(resolve(root)).catch(() => undefined)),
  );
  return roots.filter((root): root is string => root !== undefined);
}

/**
 * Opens a `file:` or `ds:` PULL source at `offset`. The path is resolved through every symlink
 * and must then lie inside an import root; the file is opened without following a final symlink,
 * so it cannot be swapped for one after the check.
 */
export async function openFileSource(options: FileSourceOptions): Promise<OpenedSource> {
  const { url, offset, signal } = options;
  const path = localPathOf(url, options.datastores);
  const shown = url.protocol === 'file:' ? path : describeUrl(url);
  const roots = await realRoots(options.importRoots);
  const lexicalRoots = [...options.importRoots.map((root) => resolve(root)), ...roots];
  // Refused before touching the file system, so that paths outside cannot be probed.
  if (!lexicalRoots.some((root) => isInside(root, path))) throw outsideRoots(shown);
  signal?.throwIfAborted();

  const real = await realpath(path).catch((error: unknown) => {
    throw fileError(shown, error);
  });
  if (!roots.some((root) => isInside(root, real))) throw outsideRoots(shown);

  const handle: FileHandle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
    (error: unknown) => {
      throw fileError(shown, error);
    },
  );
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new PullSourceError(
        `Path ${shown} is ${stats.isDirectory() ? 'a directory' : 'not a regular file'}.`,
        { permanent: true, code: 'NOT_A_FILE' },
      );
    }
    if (offset > stats.size) {
      throw new PullSourceError(
        `File ${shown} holds ${stats.size} bytes, fewer than the ${offset} already transferred.`,
        { permanent: true, code: 'BAD_RANGE' },
      );
    }
    signal?.throwIfAborted();
    const body = forLateReader(handle.createReadStream({ start: offset, signal }));
    return { body, resumedFrom: offset, totalSize: stats.size, warnings: [] };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
