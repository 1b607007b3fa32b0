import { createHash } from 'node:crypto';

/** The SHA-1 and SHA-256 thumbprints of a certificate, upper-case hex pairs joined by colons. */
export interface CertificateThumbprints {
  readonly sha1: string;
  readonly sha256: string;
}

const SHA1_HEX_LENGTH = 40;
const SHA256_HEX_LENGTH = 64;

function withColons(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

/**
 * `ssl_certificate_thumbprint` as we store and compare it: a SHA-1 or SHA-256 thumbprint, given
 * plain or colon-separated in any case, becomes upper-case colon-separated hex. Anything else
 * (wrong length, stray characters, odd grouping) is `undefined`.
 */
export function normalizeThumbprint(text: string): string | undefined {
  const trimmed = text.trim();
  const wellFormed =
    /^[0-9a-f]+$/i.test(trimmed) || /^[0-9a-f]{2}(?::[0-9a-f]{2})+$/i.test(trimmed);
  if (!wellFormed) return undefined;
  const hex = trimmed.replaceAll(':', '');
  if (hex.length !== SHA1_HEX_LENGTH && hex.length !== SHA256_HEX_LENGTH) return undefined;
  return withColons(hex);
}

/** Thumbprints of a DER-encoded certificate (`TLSSocket#getPeerCertificate().raw`). */
export function thumbprintsOf(der: Buffer): CertificateThumbprints {
  return {
    sha1: withColons(createHash('sha1').update(der).digest('hex')),
    sha256: withColons(createHash('sha256').update(der).digest('hex')),
  };
}
