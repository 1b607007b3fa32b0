import type { PeerCertificate, TLSSocket } from 'node:tls';
import { checkServerIdentity } from 'node:tls';

import type { CertificateThumbprints } from './certificate-thumbprint';
import { thumbprintsOf } from './certificate-thumbprint';
import type { CertificateWarning, CertificateWarningType } from './opened-source';
import { isError, PullSourceError, systemErrorCode } from './pull-source-error';

const WARNING_TYPES: Readonly<Record<string, CertificateWarningType>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'SELF_SIGNED_CERTIFICATE',
  SELF_SIGNED_CERT_IN_CHAIN: 'SELF_SIGNED_CERTIFICATE',
  CERT_HAS_EXPIRED: 'EXPIRED_CERTIFICATE',
  CERT_NOT_YET_VALID: 'NOT_YET_VALID_CERTIFICATE',
};

/** Node types `authorizationError` as an Error, but it holds the OpenSSL code as a string. */
function verificationCode(socket: TLSSocket): string {
  const error: unknown = socket.authorizationError;
  if (typeof error === 'string') return error;
  if (isError(error)) return systemErrorCode(error) ?? error.message;
  return 'UNKNOWN_VERIFICATION_ERROR';
}

function problemText(
  type: CertificateWarningType,
  code: string,
  host: string,
  certificate: PeerCertificate,
): string {
  switch (type) {
    case 'SELF_SIGNED_CERTIFICATE':
      return `The certificate of ${host} is self-signed`;
    case 'EXPIRED_CERTIFICATE':
      return `The certificate of ${host} expired on ${certificate.valid_to}`;
    case 'NOT_YET_VALID_CERTIFICATE':
      return `The certificate of ${host} is not valid before ${certificate.valid_from}`;
    case 'UNTRUSTED_CERTIFICATE':
      return code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `The certificate of ${host} is issued for another host name`
        : `The certificate of ${host} is not trusted (${code})`;
  }
}

function warning(
  code: string,
  host: string,
  certificate: PeerCertificate,
  { sha1, sha256 }: CertificateThumbprints,
): CertificateWarning {
  const type = WARNING_TYPES[code] ?? 'UNTRUSTED_CERTIFICATE';
  return {
    type,
    message:
      `${problemText(type, code, host, certificate)}; the transfer went ahead without verifying it. ` +
      `To trust this certificate, pin its SHA-1 thumbprint ${sha1} or SHA-256 thumbprint ${sha256}.`,
  };
}

/**
 * Decides about the certificate of a TLS connection opened with `rejectUnauthorized: false`.
 * With a pinned thumbprint (normalized, see `normalizeThumbprint`) only the pin counts, so a
 * self-signed certificate the user vouched for passes silently and anything else is refused.
 * Without one an unverifiable certificate does not stop the transfer (vCenter accepts them the
 * same way) but is reported as a warning. Hosts are checked against the name the user wrote.
 */
export function inspectPeerCertificate(
  socket: TLSSocket,
  host: string,
  pinned: string | undefined,
): CertificateWarning | undefined {
  const certificate = socket.getPeerCertificate();
  // An empty object when the peer sent no certificate.
  if (!Buffer.isBuffer(certificate.raw)) {
    throw new PullSourceError(`${host} did not present a TLS certificate.`, {
      permanent: true,
      code: 'CERTIFICATE_MISSING',
    });
  }
  const thumbprints = thumbprintsOf(certificate.raw);
  if (pinned !== undefined) {
    if (pinned === thumbprints.sha1 || pinned === thumbprints.sha256) return undefined;
    throw new PullSourceError(
      `The certificate of ${host} has SHA-1 thumbprint ${thumbprints.sha1} and SHA-256 thumbprint ` +
        `${thumbprints.sha256}, which does not match the pinned thumbprint ${pinned}.`,
      { permanent: true, code: 'CERTIFICATE_MISMATCH' },
    );
  }
  if (!socket.authorized) return warning(verificationCode(socket), host, certificate, thumbprints);
  const identityError = checkServerIdentity(host, certificate);
  if (identityError === undefined) return undefined;
  const code = systemErrorCode(identityError) ?? 'ERR_TLS_CERT_ALTNAME_INVALID';
  return warning(code, host, certificate, thumbprints);
}
