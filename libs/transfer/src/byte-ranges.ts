import { InvalidRequest, message } from '@cls/domain';

/**
 * The byte-range headers of RFC 9110 §14, in one place: `Range` (what a download asks for) and
 * `Content-Range` (what an upload or a pull source's partial answer says it carries).
 */

/** What a `Range` header asks of a file of `size` bytes: all, one slice, or nothing. */
export type RangeRequest =
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

/**
 * A single `bytes=` range: `a-b`, `a-` or `-n`. Anything else (other units, several ranges,
 * malformed text) is served whole, which RFC 9110 allows a server to do: a bad header never
 * fails a download.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'full' };
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'full' };
  return { kind: 'partial', start, end };
}

/**
 * A `Content-Range` as written: `bytes first-last/total`, where `total` may be `*` (unknown), or
 * `bytes *\/total` (no bytes, only the total). Unchecked beyond its syntax; undefined if malformed.
 */
export interface ContentRangeHeader {
  readonly first?: number;
  readonly last?: number;
  readonly total?: number;
}

export function readContentRange(header: string | undefined): ContentRangeHeader | undefined {
  const match = /^bytes\s+(?:(\d{1,16})-(\d{1,16})|\*)\/(\d{1,16}|\*)$/i.exec(header?.trim() ?? '');
  if (match === null) return undefined;
  const [, first, last, total] = match;
  return {
    ...(first === undefined ? {} : { first: Number(first), last: Number(last) }),
    ...(total === '*' ? {} : { total: Number(total) }),
  };
}

/**
 * An upload's `Content-Range`: `bytes first-last/total` (total may be `*` while unknown), or
 * `bytes *\/total`: no bytes, only the claim that all `total` are there, which confirms an upload
 * whose bytes were all staged but whose receipt could not be recorded (the service was
 * unavailable). It reads as the empty range at `total` (`first` = `total`, `last` = `total - 1`).
 */
export interface ContentRange {
  readonly first: number;
  readonly last: number;
  readonly total?: number;
}

const malformed = (header: string): InvalidRequest =>
  new InvalidRequest(
    message(
      'com.vmware.vdcs.cls-main.bad_content_range',
      `Malformed Content-Range "${header}"; expected "bytes first-last/total" or "bytes */total".`,
      [header],
    ),
  );

/** An upload's `Content-Range`, checked: a range that can't be (last before first, or past the total) is malformed. */
export function parseContentRange(header: string | undefined): ContentRange | undefined {
  if (header === undefined) return undefined;
  const { first, last, total } = readContentRange(header) ?? {};
  if (first === undefined || last === undefined) {
    if (total === undefined) throw malformed(header);
    return { first: total, last: total - 1, total };
  }
  if (last < first || (total !== undefined && last >= total)) throw malformed(header);
  return total === undefined ? { first, last } : { first, last, total };
}
