import { withoutSecrets } from '../shared/without-secrets';

/** Above this many elements a list is summarised by its length: an audit line, not a dump. */
const LIST_LIMIT = 10;

function summarizeValue(key: string, value: unknown): unknown {
  // Events written before pull secrets were kept apart may still hold them.
  if (typeof value === 'string' && key.toLowerCase().endsWith('uri'))
    return withoutSecrets(value) ?? '[not a URL]';
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
 * The data of an event as the history shows it: payloads are lean already (STYLE §5),
 * so the summary keeps them, minus URL credentials and query strings, and long lists (an item's
 * hundreds of files) shrink to their count.
 */
export function summarizeEventData(data: object): Record<string, unknown> {
  return summarizeValue('', data) as Record<string, unknown>;
}
