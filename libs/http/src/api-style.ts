/** The two URL/JSON conventions of the contract (§1): legacy `/rest` and current `/api`. */
export type ApiStyle = 'rest' | 'api';

export function styleOfUrl(url: string): ApiStyle {
  return url.startsWith('/rest/') || url === '/rest' ? 'rest' : 'api';
}
