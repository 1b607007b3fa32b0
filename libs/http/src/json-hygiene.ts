import { invalidArgument, InvalidRequest, isStorableText, message } from '@cls/domain';

/** How deep a JSON body may nest: the contract's deepest body is a handful of levels. */
export const JSON_MAX_DEPTH = 32;
/** The longest string (or property name) a JSON body may hold, in UTF-16 code units. */
export const JSON_MAX_STRING_LENGTH = 16 * 1024;

/**
 * Checks a parsed JSON body before anything reads it, without recursion (a body nested 100,000
 * deep must not overflow the stack): its depth, and that every string and property name is of
 * bounded length and storable (no NUL, no unpaired surrogate). Throws `invalid_request` for the
 * depth, `invalid_argument` for a string.
 */
export function checkJsonBody(body: unknown): void {
  const pending: { value: unknown; depth: number }[] = [{ value: body, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value === 'string') {
      checkString(value);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > JSON_MAX_DEPTH) {
      throw new InvalidRequest(
        message(
          'com.vmware.vapi.rest.body_too_deep',
          `The request body nests deeper than ${JSON_MAX_DEPTH} levels.`,
          [String(JSON_MAX_DEPTH)],
        ),
      );
    }
    for (const [key, child] of Object.entries(value)) {
      if (!Array.isArray(value)) checkString(key);
      pending.push({ value: child, depth: depth + 1 });
    }
  }
}

function checkString(text: string): void {
  if (text.length > JSON_MAX_STRING_LENGTH)
    throw invalidArgument('request body', `a string is longer than ${JSON_MAX_STRING_LENGTH}`);
  if (!isStorableText(text))
    throw invalidArgument('request body', 'a string holds a NUL or an unpaired surrogate');
}
