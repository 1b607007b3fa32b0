import type { ChecksumAlgorithm, Digests } from '@cls/domain';
import { DIGEST_HEX_LENGTH } from '@cls/domain';

import { OvfError } from './ovf-error';
import { fileNameProblem, quoteName } from './ovf-file-name';

export interface OvfManifestEntry {
  readonly algorithm: ChecksumAlgorithm;
  /** Lower-case hex. */
  readonly digest: string;
}

/** File name → its expected digest, in the manifest's order. */
export type OvfManifest = ReadonlyMap<string, OvfManifestEntry>;

export interface OvfInvalidFile {
  readonly name: string;
  readonly reason: string;
}

/** The spellings found in the wild: ovftool, openssl, OVF 2 tools and hand-written manifests. */
const ALGORITHMS: ReadonlyMap<string, ChecksumAlgorithm> = new Map([
  ['MD5', 'MD5'],
  ['SHA1', 'SHA1'],
  ['SHA-1', 'SHA1'],
  ['SHA256', 'SHA256'],
  ['SHA-256', 'SHA256'],
  ['SHA2-256', 'SHA256'],
  ['SHA512', 'SHA512'],
  ['SHA-512', 'SHA512'],
  ['SHA2-512', 'SHA512'],
]);

/**
 * `ALGORITHM(name)= hex`. The name runs to the last `)` before the `=`, so names holding
 * parentheses still parse; the digest has none.
 */
const LINE = /^([A-Za-z0-9-]+)\s*\((.*)\)\s*=\s*(\S*)$/;

/** Parses an OVF manifest (`.mf`, DSP0243 §5.1): one `ALGORITHM(file)= digest` line per file. */
export function parseOvfManifest(text: string): OvfManifest {
  const manifest = new Map<string, OvfManifestEntry & { readonly line: number }>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const match = LINE.exec(trimmed);
    if (match === null) {
      throw new OvfError(`OVF manifest line ${line} is not of the form ALGORITHM(file)= digest`);
    }
    const [, word = '', rawName = '', hex = ''] = match;
    const algorithm = ALGORITHMS.get(word.toUpperCase());
    if (algorithm === undefined) {
      throw new OvfError(
        `OVF manifest line ${line} uses an unsupported algorithm ${quoteName(word)}`,
      );
    }
    const name = rawName.trim();
    const problem = fileNameProblem(name);
    if (problem !== undefined) {
      throw new OvfError(`OVF manifest line ${line}: file name ${quoteName(name)} ${problem}`);
    }
    if (!/^[0-9a-fA-F]+$/.test(hex)) {
      throw new OvfError(`OVF manifest line ${line}: the digest is not hexadecimal`);
    }
    if (hex.length !== DIGEST_HEX_LENGTH[algorithm]) {
      throw new OvfError(
        `OVF manifest line ${line}: ${algorithm} needs ${DIGEST_HEX_LENGTH[algorithm]} hex digits, the digest has ${hex.length}`,
      );
    }
    const digest = hex.toLowerCase();
    const earlier = manifest.get(name);
    if (earlier === undefined) {
      manifest.set(name, { algorithm, digest, line });
    } else if (earlier.algorithm !== algorithm || earlier.digest !== digest) {
      throw new OvfError(
        `OVF manifest line ${line} lists ${quoteName(name)} again, differently from line ${earlier.line}`,
      );
    }
  });
  return new Map(
    [...manifest].map(([name, { algorithm, digest }]) => [name, { algorithm, digest }]),
  );
}

/**
 * The files whose digests contradict the manifest, or cannot be checked against it because the
 * digest in the manifest's algorithm was not computed. Files the manifest does not list are fine,
 * and listed files absent from `files` are left to the descriptor's required-files check.
 */
export function verifyManifest(
  manifest: OvfManifest,
  files: readonly { readonly name: string; readonly digests: Digests }[],
): readonly OvfInvalidFile[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  const invalid: OvfInvalidFile[] = [];
  for (const [name, expected] of manifest) {
    const file = byName.get(name);
    if (file === undefined) continue;
    const actual = file.digests[expected.algorithm]?.toLowerCase();
    if (actual === undefined) {
      invalid.push({
        name,
        reason: `no ${expected.algorithm} digest is available to check against the manifest`,
      });
    } else if (actual !== expected.digest) {
      invalid.push({
        name,
        reason: `${expected.algorithm} digest does not match the manifest: expected ${expected.digest}, actual ${actual}`,
      });
    }
  }
  return invalid;
}
