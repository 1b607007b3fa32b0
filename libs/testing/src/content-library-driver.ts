import { randomUUID } from 'node:crypto';

import type { HttpClient, HttpResult } from './http-client';

export type Style = 'rest' | 'api';

/** The contract's status per error type and style (§1.5), for asserting error responses. */
const DIFFERS: Record<string, { rest: number; api: number }> = {
  RESOURCE_BUSY: { rest: 400, api: 500 },
};
const SAME: Record<string, number> = {
  ALREADY_EXISTS: 400,
  INVALID_ARGUMENT: 400,
  INVALID_REQUEST: 400,
  INVALID_ELEMENT_TYPE: 400,
  NOT_ALLOWED_IN_CURRENT_STATE: 400,
  UNSUPPORTED: 400,
  UNAUTHENTICATED: 401,
  UNAUTHORIZED: 403,
  NOT_FOUND: 404,
  OPERATION_NOT_FOUND: 404,
};

export function statusFor(errorType: string, style: Style): number {
  return DIFFERS[errorType]?.[style] ?? SAME[errorType] ?? 500;
}

export interface VapiErrorView {
  readonly errorType: string;
  readonly messages: readonly { id: string; default_message: string; args: string[] }[];
}

/** Reads the error of either style's envelope. */
export function errorOf(style: Style, result: HttpResult): VapiErrorView {
  const body = (style === 'rest' ? (result.body as { value?: unknown })?.value : result.body) as {
    error_type: string;
    messages: VapiErrorView['messages'];
  };
  return { errorType: body?.error_type, messages: body?.messages ?? [] };
}

export function expectError(
  style: Style,
  result: HttpResult,
  errorType: string,
  messageId?: string,
): VapiErrorView {
  const error = errorOf(style, result);
  expect({ status: result.status, errorType: error.errorType }).toEqual({
    status: statusFor(errorType, style),
    errorType,
  });
  if (style === 'rest')
    expect((result.body as { type: string }).type).toBe(
      `com.vmware.vapi.std.errors.${errorType.toLowerCase()}`,
    );
  if (messageId !== undefined) expect(error.messages[0]?.id).toBe(messageId);
  return error;
}

type Json = Record<string, unknown>;

/**
 * The same operations in either REST style, so one e2e spec exercises both (§1). Each call returns
 * the raw result; `value` unwraps the `/rest` envelope.
 */
export class ContentLibraryDriver {
  constructor(
    readonly style: Style,
    readonly http: HttpClient,
  ) {}

  as(http: HttpClient): ContentLibraryDriver {
    return new ContentLibraryDriver(this.style, http);
  }

  value<T>(result: HttpResult): T {
    return (this.style === 'rest' ? (result.body as { value: T })?.value : result.body) as T;
  }

  /** Expected success status: `/rest` always 200; `/api` 201 for creates, 204 for void operations. */
  ok(kind: 'read' | 'create' | 'void'): number {
    if (this.style === 'rest') return 200;
    return { read: 200, create: 201, void: 204 }[kind];
  }

  private get rest(): string {
    return '/rest/com/vmware/content';
  }

  createLibrary(spec: Json, clientToken?: string): Promise<HttpResult> {
    if (this.style === 'rest') {
      return this.http.request('POST', `${this.rest}/local-library`, {
        body: { create_spec: spec, ...(clientToken ? { client_token: clientToken } : {}) },
      });
    }
    return this.http.request(
      'POST',
      `/api/content/local-library${clientToken ? `?client_token=${clientToken}` : ''}`,
      { body: spec },
    );
  }

  getLibrary(id: string, local = true): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('GET', `${this.rest}/${local ? 'local-library' : 'library'}/id:${id}`)
      : this.http.request('GET', `/api/content/${local ? 'local-library' : 'library'}/${id}`);
  }

  listLibraries(local = true): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('GET', `${this.rest}/${local ? 'local-library' : 'library'}`)
      : this.http.request('GET', `/api/content/${local ? 'local-library' : 'library'}`);
  }

  /** `find` on libraries or items: the spec wrapped as `{spec}` on /rest, bare on /api. */
  find(what: 'library' | 'item', spec: Json): Promise<HttpResult> {
    const path = what === 'library' ? 'library' : 'library/item';
    return this.style === 'rest'
      ? this.http.request('POST', `${this.rest}/${path}?~action=find`, { body: { spec } })
      : this.http.request('POST', `/api/content/${path}?action=find`, { body: spec });
  }

  deleteLibrary(id: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('DELETE', `${this.rest}/local-library/id:${id}`)
      : this.http.request('DELETE', `/api/content/local-library/${id}`);
  }

  createItem(spec: Json, clientToken?: string): Promise<HttpResult> {
    if (this.style === 'rest') {
      return this.http.request('POST', `${this.rest}/library/item`, {
        body: { create_spec: spec, ...(clientToken ? { client_token: clientToken } : {}) },
      });
    }
    return this.http.request(
      'POST',
      `/api/content/library/item${clientToken ? `?client_token=${clientToken}` : ''}`,
      { body: spec },
    );
  }

  /** A fresh library on `datastore-1` holding one item made from `item`; both must be created. */
  async newLibraryItem(item: Json = {}): Promise<{ libraryId: string; itemId: string }> {
    const library = await this.createLibrary({
      name: `lib-${randomUUID()}`,
      storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }],
    });
    expect(library.status).toBe(this.ok('create'));
    const libraryId = this.value<string>(library);
    const created = await this.createItem({ library_id: libraryId, name: 'item', ...item });
    expect(created.status).toBe(this.ok('create'));
    return { libraryId, itemId: this.value<string>(created) };
  }

  getItem(id: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('GET', `${this.rest}/library/item/id:${id}`)
      : this.http.request('GET', `/api/content/library/item/${id}`);
  }

  listItems(libraryId: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('GET', `${this.rest}/library/item?library_id=${libraryId}`)
      : this.http.request('GET', `/api/content/library/item?library_id=${libraryId}`);
  }

  /** Item `copy`: on the source item (`id:` on /rest), the new item's model as the body. */
  copyItem(sourceId: string, spec: Json, clientToken?: string): Promise<HttpResult> {
    if (this.style === 'rest') {
      return this.http.request('POST', `${this.rest}/library/item/id:${sourceId}?~action=copy`, {
        body: {
          destination_create_spec: spec,
          ...(clientToken ? { client_token: clientToken } : {}),
        },
      });
    }
    return this.http.request(
      'POST',
      `/api/content/library/item/${sourceId}?action=copy${clientToken ? `&client_token=${clientToken}` : ''}`,
      { body: spec },
    );
  }

  deleteItem(id: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('DELETE', `${this.rest}/library/item/id:${id}`)
      : this.http.request('DELETE', `/api/content/library/item/${id}`);
  }

  private get sessions(): string {
    return this.style === 'rest'
      ? `${this.rest}/library/item/update-session`
      : '/api/content/library/item/update-session';
  }

  private sessionPath(id: string): string {
    return this.style === 'rest' ? `${this.sessions}/id:${id}` : `${this.sessions}/${id}`;
  }

  createSession(
    spec: Json,
    clientToken?: string,
    via: 'query' | 'header' = 'query',
  ): Promise<HttpResult> {
    if (this.style === 'rest') {
      return this.http.request('POST', this.sessions, {
        body: { create_spec: spec, ...(clientToken ? { client_token: clientToken } : {}) },
      });
    }
    if (clientToken && via === 'header')
      return this.http.request('POST', this.sessions, {
        body: spec,
        headers: { 'client-token': clientToken },
      });
    return this.http.request(
      'POST',
      `${this.sessions}${clientToken ? `?client_token=${clientToken}` : ''}`,
      { body: spec },
    );
  }

  getSession(id: string): Promise<HttpResult> {
    return this.http.request('GET', this.sessionPath(id));
  }

  listSessions(libraryItemId?: string): Promise<HttpResult> {
    return this.http.request(
      'GET',
      `${this.sessions}${libraryItemId ? `?library_item_id=${libraryItemId}` : ''}`,
    );
  }

  action(id: string, action: string, body?: unknown): Promise<HttpResult> {
    const key = this.style === 'rest' ? '~action' : 'action';
    return this.http.request(
      'POST',
      `${this.sessionPath(id)}?${key}=${action}`,
      body === undefined ? {} : { body },
    );
  }

  updateSession(id: string, spec: Json): Promise<HttpResult> {
    return this.http.request('PATCH', this.sessionPath(id), {
      body: this.style === 'rest' ? { update_spec: spec } : spec,
    });
  }

  deleteSession(id: string): Promise<HttpResult> {
    return this.http.request('DELETE', this.sessionPath(id));
  }

  private get downloads(): string {
    return this.style === 'rest'
      ? `${this.rest}/library/item/download-session`
      : '/api/content/library/item/download-session';
  }

  private downloadPath(id: string): string {
    return this.style === 'rest' ? `${this.downloads}/id:${id}` : `${this.downloads}/${id}`;
  }

  createDownloadSession(spec: Json, clientToken?: string): Promise<HttpResult> {
    if (this.style === 'rest') {
      return this.http.request('POST', this.downloads, {
        body: { create_spec: spec, ...(clientToken ? { client_token: clientToken } : {}) },
      });
    }
    return this.http.request(
      'POST',
      `${this.downloads}${clientToken ? `?client_token=${clientToken}` : ''}`,
      { body: spec },
    );
  }

  getDownloadSession(id: string): Promise<HttpResult> {
    return this.http.request('GET', this.downloadPath(id));
  }

  listDownloadSessions(libraryItemId?: string): Promise<HttpResult> {
    return this.http.request(
      'GET',
      `${this.downloads}${libraryItemId ? `?library_item_id=${libraryItemId}` : ''}`,
    );
  }

  downloadAction(id: string, action: string, body?: unknown): Promise<HttpResult> {
    const key = this.style === 'rest' ? '~action' : 'action';
    return this.http.request(
      'POST',
      `${this.downloadPath(id)}?${key}=${action}`,
      body === undefined ? {} : { body },
    );
  }

  deleteDownloadSession(id: string): Promise<HttpResult> {
    return this.http.request('DELETE', this.downloadPath(id));
  }

  private get restDownloadFiles(): string {
    return `${this.rest}/library/item/downloadsession/file`;
  }

  listDownloadFiles(sessionId: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('GET', `${this.restDownloadFiles}?download_session_id=${sessionId}`)
      : this.http.request('GET', `${this.downloadPath(sessionId)}/file`);
  }

  getDownloadFile(sessionId: string, name: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('POST', `${this.restDownloadFiles}/id:${sessionId}?~action=get`, {
          body: { file_name: name },
        })
      : this.http.request(
          'GET',
          `${this.downloadPath(sessionId)}/file?file_name=${encodeURIComponent(name)}`,
        );
  }

  prepareDownloadFile(sessionId: string, name: string, endpointType?: string): Promise<HttpResult> {
    const body = { file_name: name, ...(endpointType ? { endpoint_type: endpointType } : {}) };
    return this.style === 'rest'
      ? this.http.request('POST', `${this.restDownloadFiles}/id:${sessionId}?~action=prepare`, {
          body,
        })
      : this.http.request('POST', `${this.downloadPath(sessionId)}/file?action=prepare`, { body });
  }

  private get restFiles(): string {
    return `${this.rest}/library/item/updatesession/file`;
  }

  addFile(sessionId: string, spec: Json, apiAction = false): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('POST', `${this.restFiles}/id:${sessionId}?~action=add`, {
          body: { file_spec: spec },
        })
      : this.http.request(
          'POST',
          `${this.sessionPath(sessionId)}/file${apiAction ? '?action=add' : ''}`,
          { body: spec },
        );
  }

  getFile(sessionId: string, name: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('POST', `${this.restFiles}/id:${sessionId}?~action=get`, {
          body: { file_name: name },
        })
      : this.http.request('GET', `${this.sessionPath(sessionId)}/file/${encodeURIComponent(name)}`);
  }

  listFiles(sessionId: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('GET', `${this.restFiles}?update_session_id=${sessionId}`)
      : this.http.request('GET', `${this.sessionPath(sessionId)}/file`);
  }

  removeFile(sessionId: string, name: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('POST', `${this.restFiles}/id:${sessionId}?~action=remove`, {
          body: { file_name: name },
        })
      : this.http.request(
          'DELETE',
          `${this.sessionPath(sessionId)}/file/${encodeURIComponent(name)}`,
        );
  }

  validate(sessionId: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('POST', `${this.restFiles}/id:${sessionId}?~action=validate`)
      : this.http.request('POST', `${this.sessionPath(sessionId)}/file?action=validate`);
  }

  itemFiles(itemId: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('GET', `${this.rest}/library/item/file?library_item_id=${itemId}`)
      : this.http.request('GET', `/api/content/library/item/${itemId}/file`);
  }

  itemFile(itemId: string, name: string): Promise<HttpResult> {
    return this.style === 'rest'
      ? this.http.request('POST', `${this.rest}/library/item/file/id:${itemId}?~action=get`, {
          body: { name },
        })
      : this.http.request(
          'GET',
          `/api/content/library/item/${itemId}/file?name=${encodeURIComponent(name)}`,
        );
  }

  itemStorage(itemId: string, fileName?: string): Promise<HttpResult> {
    if (this.style === 'rest') {
      return fileName === undefined
        ? this.http.request('GET', `${this.rest}/library/item/storage?library_item_id=${itemId}`)
        : this.http.request('POST', `${this.rest}/library/item/storage/id:${itemId}?~action=get`, {
            body: { file_name: fileName },
          });
    }
    return this.http.request(
      'GET',
      `/api/content/library/item/${itemId}/storage${fileName === undefined ? '' : `?file_name=${encodeURIComponent(fileName)}`}`,
    );
  }
}
