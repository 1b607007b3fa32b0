import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { Datastore } from '@cls/config';

/** A datastore's size and free bytes, as its file system tells them. */
export interface DatastoreSpace {
  readonly capacity: number;
  readonly freeSpace: number;
}

/**
 * The space of the file system that holds a datastore's folder. The folder itself is made with
 * the first library on it, so until then its nearest existing parent answers for it.
 */
export async function datastoreSpace(datastore: Datastore): Promise<DatastoreSpace> {
  for (let path = datastore.path; ; path = dirname(path)) {
    try {
      const stats = await statfs(path);
      return { capacity: stats.blocks * stats.bsize, freeSpace: stats.bavail * stats.bsize };
    } catch (error) {
      if (path === dirname(path)) throw error;
    }
  }
}
