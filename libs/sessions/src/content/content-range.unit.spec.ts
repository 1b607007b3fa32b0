import { parseContentRange } from './content-range';

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
