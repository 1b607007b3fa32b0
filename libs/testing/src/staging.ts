import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The names of what a session has staged under a deployment's storage root (staged files are
 * `staging/<session>.<transfer>`): what tests look at to see bytes kept or discarded.
 */
export function stagedNamesOf(storageRoot: string, sessionId: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(storageRoot, 'staging'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.filter((name) => name.startsWith(`${sessionId}.`));
}

export function hasStagedBytes(storageRoot: string, sessionId: string): boolean {
  return stagedNamesOf(storageRoot, sessionId).length > 0;
}
