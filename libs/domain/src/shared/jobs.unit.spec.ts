import type { Reaction } from './jobs';
import { withoutSupersededJobs } from './jobs';

const reaction = (
  job: Reaction['job'],
  eventId: string,
  subject: Record<string, string>,
  runAt?: string,
): Reaction => ({
  job,
  jobId: `${eventId}-${job}`,
  data: { causationId: eventId, ...subject },
  ...(runAt === undefined ? {} : { runAt }),
});

const ids = (reactions: readonly Reaction[]) => reactions.map((r) => r.jobId);

describe('withoutSupersededJobs', () => {
  it('keeps only the last deadline of each session: the one its latest event set', () => {
    const later = reaction('expire-session', 'e1', { sessionId: 'S' }, '2026-01-01T00:10:00Z');
    const latest = reaction('expire-session', 'e2', { sessionId: 'S' }, '2026-01-01T00:05:00Z');
    const other = reaction('expire-session', 'e3', { sessionId: 'T' }, '2026-01-01T00:01:00Z');
    expect(ids(withoutSupersededJobs([later, other, latest]))).toEqual([
      'e3-expire-session',
      'e2-expire-session',
    ]);
  });

  it('keeps one completion, discard and collection per session or item, the last offered', () => {
    const reactions = [
      reaction('finish-completion', 'e1', { sessionId: 'S' }),
      reaction('collect-garbage', 'e1', { itemId: 'I' }),
      reaction('finish-completion', 'e2', { sessionId: 'S' }),
      reaction('discard-staging', 'e2', { sessionId: 'S' }),
      reaction('collect-garbage', 'e3', { itemId: 'I' }),
      reaction('collect-garbage', 'e3', { itemId: 'J' }),
    ];
    expect(ids(withoutSupersededJobs(reactions))).toEqual([
      'e2-finish-completion',
      'e2-discard-staging',
      'e3-collect-garbage',
      'e3-collect-garbage',
    ]);
    expect(withoutSupersededJobs(reactions).map((r) => r.data.itemId ?? r.data.sessionId)).toEqual([
      'S',
      'S',
      'I',
      'J',
    ]);
  });

  it('keeps every transfer and unpacking: each carries work of its own', () => {
    const reactions = [
      reaction('pull-file', 'e1', { sessionId: 'S', transferId: 'a' }),
      reaction('pull-file', 'e2', { sessionId: 'S', transferId: 'b' }),
      reaction('unpack-archive', 'e3', { sessionId: 'S', transferId: 'a' }),
      reaction('unpack-archive', 'e4', { sessionId: 'S', transferId: 'b' }),
    ];
    expect(withoutSupersededJobs(reactions)).toEqual(reactions);
  });
});
