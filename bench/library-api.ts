import { fileURLToPath } from 'node:url';

import type { HttpClient, HttpResult } from '@cls/testing';

const SESSIONS = '/api/content/library/item/update-session';
const DOWNLOADS = '/api/content/library/item/download-session';

/** The body of a success; anything else stops the bench with what the API said. */
function ok<T>(what: string, result: HttpResult<T>): T {
  if (result.status >= 300)
    throw new Error(`${what} answered ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

export async function createLibrary(admin: HttpClient, name: string): Promise<string> {
  return ok(
    'create library',
    await admin.request<string>('POST', '/api/content/local-library', {
      body: { name, storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }] },
    }),
  );
}

export async function createItem(
  admin: HttpClient,
  libraryId: string,
  name: string,
): Promise<string> {
  return ok(
    'create item',
    await admin.request<string>('POST', '/api/content/library/item', {
      body: { library_id: libraryId, name },
    }),
  );
}

export async function createSession(admin: HttpClient, itemId: string): Promise<string> {
  return ok(
    'create update session',
    await admin.request<string>('POST', SESSIONS, { body: { library_item_id: itemId } }),
  );
}

export interface SessionFile {
  readonly status: string;
  readonly upload_endpoint?: { readonly uri: string };
  readonly error_message?: { readonly default_message: string };
}

export async function addFile(
  admin: HttpClient,
  sessionId: string,
  spec: Record<string, unknown>,
): Promise<SessionFile> {
  return ok(
    'add file',
    await admin.request<SessionFile>('POST', `${SESSIONS}/${sessionId}/file`, { body: spec }),
  );
}

export async function getFile(
  admin: HttpClient,
  sessionId: string,
  name: string,
): Promise<SessionFile> {
  return ok(
    'get file',
    await admin.request<SessionFile>('GET', `${SESSIONS}/${sessionId}/file/${name}`),
  );
}

/** Cancel deletes the staged bytes, so rounds never accumulate files on disk. */
export async function cancelSession(admin: HttpClient, sessionId: string): Promise<void> {
  ok('cancel', await admin.request('POST', `${SESSIONS}/${sessionId}?action=cancel`));
}

export async function completeSession(admin: HttpClient, sessionId: string): Promise<void> {
  ok('complete', await admin.request('POST', `${SESSIONS}/${sessionId}?action=complete`));
}

/** The path on disk of an item's stored file (item.Storage, §3.6). */
export async function storedPath(
  admin: HttpClient,
  itemId: string,
  fileName: string,
): Promise<string> {
  const [storage] = ok(
    'item storage',
    await admin.request<{ storage_uris: string[] }[]>(
      'GET',
      `/api/content/library/item/${itemId}/storage?file_name=${encodeURIComponent(fileName)}`,
    ),
  );
  return fileURLToPath(storage!.storage_uris[0]!);
}

export async function createDownloadSession(admin: HttpClient, itemId: string): Promise<string> {
  return ok(
    'create download session',
    await admin.request<string>('POST', DOWNLOADS, { body: { library_item_id: itemId } }),
  );
}

/** Prepares a file for HTTPS download; resolves with its download URL. */
export async function prepareDownload(
  admin: HttpClient,
  sessionId: string,
  fileName: string,
): Promise<string> {
  const file = ok(
    'prepare',
    await admin.request<{ download_endpoint?: { uri: string } }>(
      'POST',
      `${DOWNLOADS}/${sessionId}/file?action=prepare`,
      { body: { file_name: fileName } },
    ),
  );
  if (!file.download_endpoint) throw new Error(`${fileName} was prepared without an endpoint`);
  return file.download_endpoint.uri;
}
