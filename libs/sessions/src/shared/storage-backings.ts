import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import type { AppConfig } from '@cls/config';
import type { StorageBacking } from '@cls/domain';
import { invalidArgument } from '@cls/domain';

export interface StorageBackingInput {
  readonly type: 'DATASTORE' | 'OTHER';
  readonly datastoreId?: string;
  readonly storageUri?: string;
}

function isInside(root: string, path: string): boolean {
  const fromRoot = relative(root, path);
  return fromRoot === '' || (!fromRoot.startsWith('..') && !isAbsolute(fromRoot));
}

/**
 * Checks a requested backing against what this server has: a configured datastore, or a `file://`
 * folder under one of the allowed roots. Anything else would let a client write wherever it likes.
 */
export function resolveStorageBacking(
  config: AppConfig,
  input: StorageBackingInput,
): StorageBacking {
  if (input.type === 'DATASTORE') {
    if (input.storageUri !== undefined)
      throw invalidArgument('storage_backings', 'storage_uri is only for OTHER backings');
    const known = config.datastores.find((datastore) => datastore.id === input.datastoreId);
    if (!known) {
      throw invalidArgument(
        'storage_backings.datastore_id',
        `unknown datastore "${input.datastoreId ?? ''}" (known: ${config.datastores.map((d) => d.id).join(', ')})`,
      );
    }
    return { type: 'DATASTORE', datastoreId: known.id };
  }
  if (input.datastoreId !== undefined)
    throw invalidArgument('storage_backings', 'datastore_id is only for DATASTORE backings');
  const uri = input.storageUri ?? '';
  let path: string;
  try {
    const url = new URL(uri);
    if (url.protocol !== 'file:' || (url.hostname !== '' && url.hostname !== 'localhost'))
      throw new Error('not file');
    path = resolve(fileURLToPath(url));
  } catch {
    throw invalidArgument('storage_backings.storage_uri', `"${uri}" is not a local file:// URI`);
  }
  if (!config.libraryStorageRoots.some((root) => isInside(root, path))) {
    throw invalidArgument(
      'storage_backings.storage_uri',
      `"${uri}" is outside the allowed storage roots`,
    );
  }
  return { type: 'OTHER', storageUri: pathToFileURL(path).toString() };
}
