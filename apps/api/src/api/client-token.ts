/** `/api` creates take the client token as `?client_token=` (vCenter Swagger) or `Client-Token:` (8.x SDKs), §10.3. */
export function apiClientToken(
  query: string | undefined,
  header: string | undefined,
): string | undefined {
  return query || header || undefined;
}
