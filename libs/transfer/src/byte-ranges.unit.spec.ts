import { parseContentRange, parseRange, readContentRange } from './byte-ranges';

describe('parseRange (RFC 9110 single byte ranges)', () => {
  it.each([
    ['bytes=0-9', { kind: 'partial', start: 0, end: 9 }],
    ['bytes=10-', { kind: 'partial', start: 10, end: 99 }],
    ['bytes=-10', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-500', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=90-500', { kind: 'partial', start: 90, end: 99 }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
  ])('%s of 100 bytes', (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected);
  });

  it.each([
    undefined,
    '',
    'bytes=',
    'bytes=-',
    'items=0-9',
    'bytes=0-9,20-29',
    'bytes=9-3',
    'junk',
  ])('serves %p whole', (header) => {
    expect(parseRange(header, 100)).toEqual({ kind: 'full' });
  });

  it('an empty file has no satisfiable range', () => {
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });
});

describe('parseContentRange', () => {
  it('reads a range with its total, or with the total unknown', () => {
    expect(parseContentRange('bytes 0-99/1000')).toEqual({ first: 0, last: 99, total: 1000 });
    expect(parseContentRange('bytes 100-199/*')).toEqual({ first: 100, last: 199 });
    expect(parseContentRange(undefined)).toBeUndefined();
  });

  it('reads bytes */total as the empty range at the end: all bytes claimed there, none sent', () => {
    expect(parseContentRange('bytes */1000')).toEqual({ first: 1000, last: 999, total: 1000 });
    expect(parseContentRange('bytes */0')).toEqual({ first: 0, last: -1, total: 0 });
  });

  it.each(['bytes 0-1000/1000', 'bytes 10-9/100', 'bytes */*', 'bytes 0-/100', 'items 0-1/2'])(
    'refuses %s as invalid_request',
    (header) => {
      expect(() => parseContentRange(header)).toThrow(/Malformed Content-Range/);
    },
  );
});

describe('readContentRange (a pull source answer, as written)', () => {
  it.each([
    ['bytes 100-199/1000', { first: 100, last: 199, total: 1000 }],
    ['BYTES  100-199/*', { first: 100, last: 199 }],
    ['bytes */1000', { total: 1000 }],
    ['bytes */*', {}],
  ])('reads %s', (header, expected) => {
    expect(readContentRange(header)).toEqual(expected);
  });

  it.each([undefined, '', 'bytes 0-/100', 'items 0-1/2', 'bytes 1-2-3/4'])(
    'gives nothing for %s',
    (header) => {
      expect(readContentRange(header)).toBeUndefined();
    },
  );
});
