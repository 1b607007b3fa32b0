import { X509Certificate } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

import type { HttpsConfig } from '@cls/config';
import { generate } from 'selfsigned';

/** What the TLS listener presents, and the SHA-256 thumbprint clients can pin. */
export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
  readonly thumbprint: string;
  /** Whether this start generated it. */
  readonly generated: boolean;
}

/** Where a generated identity is kept (key and certificate in one PEM file), under STORAGE_ROOT. */
export const SELF_SIGNED_FILE = join('tls', 'self-signed.pem');

const CERTIFICATE_YEARS = 10;

function identityOf(cert: string, key: string, generated: boolean): TlsIdentity {
  // X509Certificate refuses anything that is not a certificate; the fingerprint is colon-hex.
  const thumbprint = new X509Certificate(cert).fingerprint256;
  return { cert, key, thumbprint, generated };
}

function splitPem(pem: string): { cert: string; key: string } {
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const key = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/.exec(
    pem,
  )?.[0];
  if (!cert || !key) throw new Error('the kept TLS identity holds no certificate and key');
  return { cert, key };
}

/** A self-signed certificate for this host, its loopback addresses and `localhost`. */
async function selfSigned(): Promise<{ cert: string; key: string }> {
  const host = hostname();
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate);
  notAfterDate.setFullYear(notAfterDate.getFullYear() + CERTIFICATE_YEARS);
  const pems = await generate([{ name: 'commonName', value: host }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: host },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * The configured certificate and key, or the self-signed identity kept under the storage root,
 * generated on the first start. Several processes starting at once agree on one: each links its
 * own into place only if none is there, then everyone reads what is.
 */
export async function loadTlsIdentity(
  config: HttpsConfig,
  storageRoot: string,
): Promise<TlsIdentity> {
  if (config.certFile !== undefined && config.keyFile !== undefined) {
    const [cert, key] = await Promise.all([
      readFile(config.certFile, 'utf8'),
      readFile(config.keyFile, 'utf8'),
    ]);
    return identityOf(cert, key, false);
  }
  const file = join(storageRoot, SELF_SIGNED_FILE);
  try {
    const { cert, key } = splitPem(await readFile(file, 'utf8'));
    return identityOf(cert, key, false);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { cert, key } = await selfSigned();
  await mkdir(join(storageRoot, 'tls'), { recursive: true, mode: 0o700 });
  const draft = `${file}.${process.pid}.tmp`;
  await writeFile(draft, `${key}\n${cert}\n`, { mode: 0o600 });
  try {
    await link(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await rm(draft, { force: true });
  }
  const kept = splitPem(await readFile(file, 'utf8'));
  return identityOf(kept.cert, kept.key, kept.cert === cert);
}
