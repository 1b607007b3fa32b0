import { InvalidRequest, message } from '@cls/domain';

/**
 * `Content-Range: bytes first-last/total` (total may be `*` while unknown), or `bytes *\/total`:
 * no bytes, only the claim that all `total` are there, which confirms an upload whose bytes were
 * all staged but whose receipt could not be recorded (the service was unavailable). It reads as
 * the empty range at `total` (`first` = `total`, `last` = `total - 1`).
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

export function parseContentRange(header: string | undefined): ContentRange | undefined {
  if (header === undefined) return undefined;
  const confirmed = /^bytes \*\/(\d{1,16})$/.exec(header.trim());
  if (confirmed) {
    const total = Number(confirmed[1]);
    return { first: total, last: total - 1, total };
  }
  const match = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/.exec(header.trim());
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  const total = match?.[3] === '*' ? undefined : Number(match?.[3]);
  if (!match || last < first || (total !== undefined && last >= total)) throw malformed(header);
  return total === undefined ? { first, last } : { first, last, total };
}
