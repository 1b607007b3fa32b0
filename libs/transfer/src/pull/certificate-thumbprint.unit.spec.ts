import { createHash } from 'node:crypto';

import { normalizeThumbprint, thumbprintsOf } from './certificate-thumbprint';

const SHA1 = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const SHA1_COLONS = 'A9:4A:8F:E5:CC:B1:9B:A6:1C:4C:08:73:D3:91:E9:87:98:2F:BB:D3';
const SHA256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe('normalizeThumbprint', () => {
  it.each([
    [SHA1, SHA1_COLONS],
    [SHA1_COLONS.toLowerCase(), SHA1_COLONS],
    [` ${SHA1_COLONS} `, SHA1_COLONS],
    [SHA256.toUpperCase(), (SHA256.toUpperCase().match(/../g) ?? []).join(':')],
  ])('normalizes %s', (text, expected) => {
    expect(normalizeThumbprint(text)).toBe(expected);
  });

  it.each([
    [''],
    ['A9:4A'],
    [SHA1.slice(0, 39)],
    [`${SHA1}00`],
    [SHA1.replace('a', 'g')],
    ['A94:A8F'],
    [`${SHA1_COLONS}:`],
    [SHA1_COLONS.replaceAll(':', '-')],
  ])('rejects %j', (text) => {
    expect(normalizeThumbprint(text)).toBeUndefined();
  });
});

describe('thumbprintsOf', () => {
  it('hashes the DER bytes with SHA-1 and SHA-256', () => {
    const der = Buffer.from('test');

    expect(thumbprintsOf(der)).toEqual({
      sha1: SHA1_COLONS,
      sha256: normalizeThumbprint(createHash('sha256').update(der).digest('hex')),
    });
  });
});
