import type { Dispatcher } from 'undici';

import { ContractChecker } from './contract';

export interface HttpResult<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

let checker: ContractChecker | undefined;

/** Our own extensions (users, datastores) have no VMware shape to check against. */
const EXTENSIONS = ['/api/cls/', '/api/vcenter/', '/rest/vcenter/'];

/** vCenter operations served beyond the contract's Swagger subset: item `copy`. */
const BEYOND_THE_SUBSET = /[?&]~?action=copy(&|$)/;

function isContractPath(url: URL): boolean {
  const path = url.pathname;
  return (
    (path.startsWith('/api/') || path.startsWith('/rest/')) &&
    !EXTENSIONS.some((prefix) => path.startsWith(prefix)) &&
    !BEYOND_THE_SUBSET.test(url.search)
  );
}

/**
 * A tiny HTTP client for e2e specs. Every response of a contract operation is checked against
 * VMware's Swagger shapes, so a spec fails as soon as the wire format drifts.
 */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    /** `dispatcher`: an undici Agent, say one that trusts a test server's own certificate. */
    private readonly options: { contract?: boolean; dispatcher?: Dispatcher } = { contract: true },
    private readonly sessionToken?: string,
  ) {}

  withToken(token: string | undefined): HttpClient {
    return new HttpClient(this.baseUrl, this.options, token);
  }

  /** The same login against another process of the deployment. */
  withBaseUrl(baseUrl: string): HttpClient {
    return new HttpClient(baseUrl, this.options, this.sessionToken);
  }

  get token(): string | undefined {
    return this.sessionToken;
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> {
    const url = new URL(path, this.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.sessionToken !== undefined) headers['vmware-api-session-id'] = this.sessionToken;
    let payload: string | undefined = options.rawBody;
    if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      ...(this.options.dispatcher ? { dispatcher: this.options.dispatcher } : {}),
    } as RequestInit);
    const text = await response.text();
    const body = (text === '' ? undefined : JSON.parse(text)) as T;
    // Clients such as Ansible's vmware_rest compare the header exactly.
    const type = response.headers.get('content-type');
    if (text !== '' && type !== 'application/json') {
      throw new Error(
        `${method} ${url.pathname} → ${response.status} answered JSON as ${type ?? 'no content type'}, not exactly application/json`,
      );
    }
    if (this.options.contract !== false && isContractPath(url)) {
      const problems = (checker ??= new ContractChecker()).check(
        method,
        url,
        response.status,
        body,
      );
      if (problems.length > 0) {
        throw new Error(
          `contract violation for ${method} ${url.pathname}${url.search} → ${response.status} ${text}\n${problems.join('\n')}`,
        );
      }
    }
    return { status: response.status, body, headers: response.headers };
  }

  async login(user: string, password: string, style: 'rest' | 'api' = 'api'): Promise<HttpClient> {
    const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const result =
      style === 'api'
        ? await this.request<string>('POST', '/api/session', { headers: { authorization } })
        : await this.request<{ value: string }>('POST', '/rest/com/vmware/cis/session', {
            headers: { authorization },
          });
    if (result.status >= 300)
      throw new Error(`login as ${user} failed: ${result.status} ${JSON.stringify(result.body)}`);
    return this.withToken(
      style === 'api' ? (result.body as string) : (result.body as { value: string }).value,
    );
  }
}
