import { isDatabaseUnavailable } from './postgres-error';

describe('isDatabaseUnavailable: the database, not the request, is at fault', () => {
  it.each([
    ['a connection exception class code', Object.assign(new Error('x'), { code: '08006' })],
    ['an administrator shutdown', Object.assign(new Error('x'), { code: '57P01' })],
    ['a refused connection', Object.assign(new Error('x'), { code: 'ECONNREFUSED' })],
    ['a wrapped driver error', { driverError: { code: '57P03' } }],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect', new Error('timeout exceeded when trying to connect')],
    [
      'a leased connection that failed between statements',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
  ])('%s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('x'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('x'), { code: '42601' })],
    ['any other error', new Error('something else')],
    ['not an error', undefined],
  ])('not %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
