/**
 * A URL without what must neither be shown nor kept for good: credentials, query string (where
 * presigned links carry their signatures) and fragment. A URL without them comes back as given;
 * `undefined` when it is not a URL.
 */
export function withoutSecrets(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.username === '' && url.password === '' && url.search === '' && url.hash === '')
    return uri;
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  return url.toString();
}
