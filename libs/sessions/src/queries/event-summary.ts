/** Above this many elements a list is summarised by its length: an audit line, not a dump. */
const LIST_LIMIT = 10;

/**
 * Strips what an audit reader must not see in a URL: credentials and the query string, where
 * presigned links carry their signatures.
 */
function redactUri(value: string): string {
  try {
    const url = new URL(value);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    return '[not a URL]';
  }
}

function summarizeValue(key: string, value: unknown): unknown {
  if (typeof value === 'string' && key.toLowerCase().endsWith('uri')) return redactUri(value);
  if (Array.isArray(value)) {
    return value.length > LIST_LIMIT
      ? { count: value.length }
      : value.map((element) => summarizeValue('', element));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, inner]) => [name, summarizeValue(name, inner)]),
    );
  }
  return value;
}

/**
 * The data of an event as the history shows it (issue 6 §1): payloads are lean already (STYLE §5),
 * so the summary keeps them, minus URL credentials and query strings, and long lists (an item's
 * hundreds of files) shrink to their count.
 */
export function summarizeEventData(data: object): Record<string, unknown> {
  return summarizeValue('', data) as Record<string, unknown>;
}
