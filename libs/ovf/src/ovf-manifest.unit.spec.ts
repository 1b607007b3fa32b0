import { createHash } from 'node:crypto';

import type { ChecksumAlgorithm } from '@cls/domain';

import { OvfError } from './ovf-error';
import { parseOvfManifest, verifyManifest } from './ovf-manifest';

const hex = (algorithm: string, text: string): string =>
  createHash(algorithm).update(text).digest('hex');

const sha1 = hex('sha1', 'disk');
const sha256 = hex('sha256', 'disk');
const sha512 = hex('sha512', 'disk');
const md5 = hex('md5', 'disk');

function refusal(text: string): OvfError {
  try {
    parseOvfManifest(text);
  } catch (error) {
    expect(error).toBeInstanceOf(OvfError);
    return error as OvfError;
  }
  throw new Error('the manifest was accepted');
}

describe('parseOvfManifest', () => {
  it('reads what ovftool writes', () => {
    const text = [
      `SHA256(web-01.ovf)= ${hex('sha256', 'ovf')}`,
      `SHA256(web-01-disk1.vmdk)= ${sha256}`,
      `SHA256(web-01-file1.nvram)= ${hex('sha256', 'nvram')}`,
      '',
    ].join('\n');
    expect([...parseOvfManifest(text)]).toEqual([
      ['web-01.ovf', { algorithm: 'SHA256', digest: hex('sha256', 'ovf') }],
      ['web-01-disk1.vmdk', { algorithm: 'SHA256', digest: sha256 }],
      ['web-01-file1.nvram', { algorithm: 'SHA256', digest: hex('sha256', 'nvram') }],
    ]);
  });

  it.each<[string, ChecksumAlgorithm, string]>([
    ['SHA1', 'SHA1', sha1],
    ['SHA256', 'SHA256', sha256],
    ['SHA512', 'SHA512', sha512],
    ['MD5', 'MD5', md5],
    ['SHA-1', 'SHA1', sha1],
    ['SHA2-256', 'SHA256', sha256],
    ['SHA2-512', 'SHA512', sha512],
    ['SHA-256', 'SHA256', sha256],
    ['SHA-512', 'SHA512', sha512],
    ['sha256', 'SHA256', sha256],
    ['Sha2-512', 'SHA512', sha512],
    ['sha1', 'SHA1', sha1],
  ])('understands %s', (word, algorithm, digest) => {
    expect(parseOvfManifest(`${word}(disk.vmdk)= ${digest}`).get('disk.vmdk')).toEqual({
      algorithm,
      digest,
    });
  });

  it.each([
    `SHA256(disk.vmdk)=${sha256}`,
    `SHA256(disk.vmdk) = ${sha256}`,
    `SHA256 ( disk.vmdk ) =   ${sha256}`,
    `  SHA256(disk.vmdk)=\t${sha256}  `,
    `SHA256(disk.vmdk)= ${sha256.toUpperCase()}`,
  ])('tolerates spacing and case: %j', (line) => {
    expect(parseOvfManifest(line).get('disk.vmdk')).toEqual({
      algorithm: 'SHA256',
      digest: sha256,
    });
  });

  it('handles CRLF, blank lines and a byte order mark', () => {
    const text = `\uFEFFSHA1(a.ovf)= ${sha1}\r\n\r\n   \r\nSHA1(b.vmdk)= ${sha1}\r\n`;
    expect([...parseOvfManifest(text).keys()]).toEqual(['a.ovf', 'b.vmdk']);
  });

  it('keeps names with spaces and parentheses', () => {
    const text = `SHA1(My VM (copy).vmdk)= ${sha1}`;
    expect([...parseOvfManifest(text).keys()]).toEqual(['My VM (copy).vmdk']);
  });

  it('returns an empty manifest for empty text', () => {
    expect(parseOvfManifest('').size).toBe(0);
    expect(parseOvfManifest('\uFEFF\r\n\n').size).toBe(0);
  });

  it('accepts the same line twice', () => {
    const line = `SHA1(a.vmdk)= ${sha1}`;
    expect(parseOvfManifest(`${line}\n${line}\n`).size).toBe(1);
  });

  describe('refuses', () => {
    it.each([
      [
        'an unknown algorithm',
        `SHA384(a.vmdk)= ${hex('sha384', 'disk')}`,
        /line 2 .*unsupported algorithm "SHA384"/,
      ],
      ['CRC32', 'CRC32(a.vmdk)= 1a2b3c4d', /line 2 .*unsupported algorithm/],
      ['a line without digest', 'SHA1(a.vmdk)=', /line 2: the digest is not hexadecimal/],
      [
        'a non-hex digest',
        `SHA1(a.vmdk)= ${'z'.repeat(40)}`,
        /line 2: the digest is not hexadecimal/,
      ],
      ['a line without =', `SHA1(a.vmdk) ${sha1}`, /line 2 is not of the form/],
      ['a line without parentheses', `SHA1 a.vmdk = ${sha1}`, /line 2 is not of the form/],
      ['free text', 'hello world', /line 2 is not of the form/],
      ['two digests', `SHA1(a.vmdk)= ${sha1} ${sha1}`, /line 2 is not of the form/],
      ['an empty name', `SHA1()= ${sha1}`, /line 2: file name "" is empty/],
      [
        'a path in the name',
        `SHA1(../a.vmdk)= ${sha1}`,
        /line 2: file name "..\/a.vmdk" contains ".."/,
      ],
      [
        'a SHA256 digest under SHA1',
        `SHA1(a.vmdk)= ${sha256}`,
        /line 2: SHA1 needs 40 hex digits, the digest has 64/,
      ],
      [
        'a SHA1 digest under SHA256',
        `SHA256(a.vmdk)= ${sha1}`,
        /line 2: SHA256 needs 64 hex digits, the digest has 40/,
      ],
      [
        'a truncated SHA512 digest',
        `SHA512(a.vmdk)= ${sha512.slice(1)}`,
        /line 2: SHA512 needs 128 hex digits, the digest has 127/,
      ],
      [
        'an MD5 digest too long',
        `MD5(a.vmdk)= ${md5}0`,
        /line 2: MD5 needs 32 hex digits, the digest has 33/,
      ],
    ])('%s, naming the line', (_label, line, message) => {
      expect(refusal(`SHA1(first.ovf)= ${sha1}\r\n${line}\r\n`).message).toMatch(message);
    });

    it('a file listed twice with different digests', () => {
      const text = `SHA1(a.vmdk)= ${sha1}\n\nSHA256(a.vmdk)= ${sha256}\n`;
      expect(refusal(text).message).toMatch(/line 3 lists "a.vmdk" again, differently from line 1/);
    });

    it('counts blank lines and the BOM line in line numbers', () => {
      expect(refusal(`\uFEFF\r\n\r\nbogus\r\n`).message).toMatch(/line 3/);
    });
  });
});

describe('verifyManifest', () => {
  const manifest = parseOvfManifest(
    [
      `SHA256(vm.ovf)= ${hex('sha256', 'ovf')}`,
      `SHA256(disk1.vmdk)= ${sha256}`,
      `SHA1(disk2.vmdk)= ${sha1}`,
      `SHA512(vm.nvram)= ${sha512}`,
    ].join('\n'),
  );

  it('accepts matching files, comparing hex case-insensitively', () => {
    expect(
      verifyManifest(manifest, [
        { name: 'vm.ovf', digests: { SHA256: hex('sha256', 'ovf'), SHA1: sha1 } },
        { name: 'disk1.vmdk', digests: { SHA256: sha256.toUpperCase() } },
        { name: 'disk2.vmdk', digests: { SHA1: sha1 } },
        { name: 'vm.nvram', digests: { SHA512: sha512 } },
      ]),
    ).toEqual([]);
  });

  it('reports a digest that differs, with expected and actual', () => {
    const other = hex('sha256', 'tampered');
    expect(verifyManifest(manifest, [{ name: 'disk1.vmdk', digests: { SHA256: other } }])).toEqual([
      {
        name: 'disk1.vmdk',
        reason: `SHA256 digest does not match the manifest: expected ${sha256}, actual ${other}`,
      },
    ]);
  });

  it('reports a listed file whose digest in that algorithm was not computed', () => {
    expect(
      verifyManifest(manifest, [{ name: 'vm.nvram', digests: { SHA1: sha1, SHA256: sha256 } }]),
    ).toEqual([
      { name: 'vm.nvram', reason: 'no SHA512 digest is available to check against the manifest' },
    ]);
  });

  it('ignores files the manifest does not list, and listed files that are absent', () => {
    expect(
      verifyManifest(manifest, [
        { name: 'vm.mf', digests: {} },
        { name: 'extra.iso', digests: { SHA256: sha256 } },
      ]),
    ).toEqual([]);
  });

  it('reports every bad file, in manifest order', () => {
    const bad = verifyManifest(manifest, [
      { name: 'vm.nvram', digests: {} },
      { name: 'disk2.vmdk', digests: { SHA1: hex('sha1', 'x') } },
      { name: 'disk1.vmdk', digests: { SHA256: sha256 } },
    ]);
    expect(bad.map((file) => file.name)).toEqual(['disk2.vmdk', 'vm.nvram']);
  });
});
