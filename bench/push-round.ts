import type { HttpClient } from '@cls/testing';

import { addFile, cancelSession, createSession, getFile } from './library-api';
import type { Round } from './measure';
import { measureRound, MiB } from './measure';
import { put } from './repeated-bytes';

/**
 * One measured PUSH through the real endpoint: a fresh session on the item, `sizeMiB` MiB of
 * `chunk` PUT to its upload URL (optionally with a SHA-256 to verify, `writeBytes` per write as in
 * `put`), then a cancel, which deletes the staged bytes as a baseline deletes its file.
 */
export async function pushRound(
  admin: HttpClient,
  apiPid: number,
  itemId: string,
  chunk: Buffer,
  sizeMiB: number,
  sha256Hex?: string,
  writeBytes?: number,
): Promise<Round> {
  const session = await createSession(admin, itemId);
  const file = await addFile(admin, session, {
    name: 'bench.iso',
    source_type: 'PUSH',
    size: sizeMiB * MiB,
    ...(sha256Hex ? { checksum_info: { algorithm: 'SHA256', checksum: sha256Hex } } : {}),
  });
  const round = await measureRound(apiPid, sizeMiB, () =>
    put(file.upload_endpoint!.uri, chunk, sizeMiB, writeBytes),
  );
  const state = await getFile(admin, session, 'bench.iso');
  if (state.status !== 'READY') throw new Error(`pushed file is ${state.status}`);
  await cancelSession(admin, session);
  return round;
}
