import type { SourceType } from '../content/content.types';

/** How the bytes of a transfer stopped coming, as the upload endpoint or the pull saw it. */
export type BodyEnd =
  /**
   * The body ended as framed, `received` bytes staged in all. An upload with a `Content-Range`
   * names the file's total there (`null` for `*`, a size still unknown).
   */
  | {
      readonly how: 'ended';
      readonly received: number;
      readonly range?: { readonly total: number | null };
    }
  /**
   * The connection or the source broke off first (for a pull, any error another attempt may get
   * past); `lastAttempt`: no retry follows.
   */
  | { readonly how: 'cut'; readonly lastAttempt?: boolean }
  /** More bytes came than the file declared. */
  | { readonly how: 'too_long' }
  /** An upload went on past the last byte its `Content-Range` announced. */
  | { readonly how: 'past_range_end' }
  /** The storage filled up (or the quota did). */
  | { readonly how: 'storage_full' }
  /** The source refused for good (not found, an address the policy refuses, a bad certificate). */
  | { readonly how: 'source_refused' };

export type FailedBecause = 'file_too_long' | 'storage_full' | 'pull_failed';

/** What the service does with a transfer whose body ended so. */
export type BodyVerdict =
  /** Record what arrived: the decider judges its size and checksum against what `add` declared. */
  | { readonly then: 'record_received' }
  /**
   * Keep what was staged, the file in transfer: the client resumes from `bytes_transferred`.
   * `refusing`: the request is still answered with an error (nothing past the range was written).
   */
  | { readonly then: 'keep_for_resume'; readonly refusing?: 'past_range_end' }
  /** Leave it to the queue: the next attempt resumes from what is staged. */
  | { readonly then: 'retry' }
  /** Fail the file, which ends the session ERROR, and free what it staged. */
  | { readonly then: 'fail'; readonly because: FailedBecause };

/**
 * What the end of a body means, the one rule for uploads (`PUSH`) and pulls (`PULL`): a body that
 * ended whole is the decider's to judge; one cut short is resumed, by the client that sent it or by
 * the queue's next attempt; more bytes than declared, a full disk or a source refusing for good
 * fail the file at once.
 */
export function bodyVerdict(source: Exclude<SourceType, 'NONE'>, end: BodyEnd): BodyVerdict {
  switch (end.how) {
    case 'ended':
      // A range that is not the file's last part leaves the rest to come.
      return end.range !== undefined && (end.range.total === null || end.received < end.range.total)
        ? { then: 'keep_for_resume' }
        : { then: 'record_received' };
    case 'cut':
      if (source === 'PUSH') return { then: 'keep_for_resume' };
      return end.lastAttempt ? { then: 'fail', because: 'pull_failed' } : { then: 'retry' };
    case 'too_long':
      return { then: 'fail', because: 'file_too_long' };
    case 'past_range_end':
      return { then: 'keep_for_resume', refusing: 'past_range_end' };
    case 'storage_full':
      return { then: 'fail', because: 'storage_full' };
    case 'source_refused':
      return { then: 'fail', because: 'pull_failed' };
  }
}
