import { InvalidRequest, message } from '@cls/domain';

/** `Content-Range: bytes first-last/total` (total may be `*` while unknown). */
export interface ContentRange {
  readonly first: number;
  readonly last: number;
  readonly total?: number;
}

export function parseContentRange(header: string | undefined): ContentRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16}|\*)$/.exec(header.trim());
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  const total = match?.[3] === '*' ? undefined : Number(match?.[3]);
  if (!match || last < first || (total !== undefined && last >= total)) {
    throw new InvalidRequest(
      message(
        'com.vmware.vdcs.cls-main.bad_content_range',
        `Malformed Content-Range "${header}"; expected "bytes first-last/total".`,
        [header],
      ),
    );
  }
  return total === undefined ? { first, last } : { first, last, total };
}
