import type { BodyEnd, BodyVerdict } from '@cls/domain';
import { bodyVerdict } from '@cls/domain';

type Source = 'PUSH' | 'PULL';

/** Given a transfer by `source`, when its body ends so, then the service does this. */
const cases: [string, Source, BodyEnd, BodyVerdict][] = [
  [
    'a whole upload is judged',
    'PUSH',
    { how: 'ended', received: 1000 },
    { then: 'record_received' },
  ],
  [
    'a pull that ended is judged, even short (the decider sees the size)',
    'PULL',
    { how: 'ended', received: 10 },
    { then: 'record_received' },
  ],
  [
    "an upload range ending at the file's total is judged",
    'PUSH',
    { how: 'ended', received: 1000, range: { total: 1000 } },
    { then: 'record_received' },
  ],
  [
    'an upload range short of the total leaves the rest to come',
    'PUSH',
    { how: 'ended', received: 400, range: { total: 1000 } },
    { then: 'keep_for_resume' },
  ],
  [
    'an upload range of an unknown total (*) leaves the rest to come',
    'PUSH',
    { how: 'ended', received: 400, range: { total: null } },
    { then: 'keep_for_resume' },
  ],
  [
    'an upload cut short is resumed by its client',
    'PUSH',
    { how: 'cut' },
    { then: 'keep_for_resume' },
  ],
  ['a pull cut short is tried again', 'PULL', { how: 'cut' }, { then: 'retry' }],
  [
    'a pull cut short on its last attempt fails',
    'PULL',
    { how: 'cut', lastAttempt: true },
    { then: 'fail', because: 'pull_failed' },
  ],
  [
    'an upload going past its range keeps what came within it, and is refused',
    'PUSH',
    { how: 'past_range_end' },
    { then: 'keep_for_resume', refusing: 'past_range_end' },
  ],
  [
    'a pull refused for good by its source fails at once',
    'PULL',
    { how: 'source_refused' },
    { then: 'fail', because: 'pull_failed' },
  ],
  ...(['PUSH', 'PULL'] as const).flatMap((source): [string, Source, BodyEnd, BodyVerdict][] => [
    [
      `${source}: more bytes than declared fail the file`,
      source,
      { how: 'too_long' },
      { then: 'fail', because: 'file_too_long' },
    ],
    [
      `${source}: a full disk fails the file and frees its bytes`,
      source,
      { how: 'storage_full' },
      { then: 'fail', because: 'storage_full' },
    ],
  ]),
];

describe('bodyVerdict: what the end of a body means, for uploads and pulls alike', () => {
  it.each(cases)('%s', (_rule, source, end, verdict) => {
    expect(bodyVerdict(source, end)).toEqual(verdict);
  });
});
