import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';

import { Agent, fetch as undiciFetch } from 'undici';

import type { HttpClient } from '@cls/testing';
import { ContentLibraryDriver, freePort, HttpClient as Client, ServiceProcess } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;
let httpsPort: number;

beforeAll(async () => {
  httpsPort = await freePort();
  // At info: the thumbprint is logged there.
  deployment = await startDeployment('e2e_https', {
    HTTPS_PORT: String(httpsPort),
    LOG_LEVEL: 'info',
  });
});

afterAll(() => deployment?.stop());

/** The certificate the TLS port presents, as a SHA-256 colon-hex thumbprint. */
function presentedThumbprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('HTTPS beside HTTP (HTTPS_PORT, self-signed certificate kept under STORAGE_ROOT)', () => {
  let keptPem: string;
  let trusting: Agent;
  let alice: ContentLibraryDriver;

  beforeAll(async () => {
    keptPem = readFileSync(join(deployment.env.STORAGE_ROOT!, 'tls', 'self-signed.pem'), 'utf8');
    // Trust exactly the generated certificate: a client pinning what the log printed.
    trusting = new Agent({ connect: { ca: keptPem } });
    const base = `https://127.0.0.1:${httpsPort}`;
    const login: HttpClient = await new Client(base, { dispatcher: trusting }).login(
      'alice',
      'alice-password',
    );
    alice = new ContentLibraryDriver('api', login);
  });

  afterAll(() => trusting?.close());

  it('logs the certificate it generated, by the thumbprint the port presents, and keeps its key private', async () => {
    const thumbprint = await presentedThumbprint(httpsPort);
    expect(deployment.api.log).toContain(
      `listening on https port ${httpsPort}, certificate SHA-256 ${thumbprint} (self-signed, generated now and kept)`,
    );
    expect(keptPem).toContain('PRIVATE KEY');
  });

  it('uploads and downloads over TLS, with data-plane URLs on https', async () => {
    const { itemId } = await alice.newLibraryItem({ name: 'tls.iso', type: 'iso' });
    const sessionId = alice.value<string>(await alice.createSession({ library_item_id: itemId }));
    const bytes = randomBytes(300_000);
    const added = alice.value<{ upload_endpoint: { uri: string } }>(
      await alice.addFile(sessionId, { name: 'tls.iso', source_type: 'PUSH', size: bytes.length }),
    );
    expect(added.upload_endpoint.uri).toMatch(
      new RegExp(`^https://127\\.0\\.0\\.1:${httpsPort}/cls/data/[0-9a-f]+/tls\\.iso$`),
    );
    const put = await undiciFetch(added.upload_endpoint.uri, {
      method: 'PUT',
      body: bytes,
      dispatcher: trusting,
    });
    expect(put.status).toBe(200);
    expect((await alice.action(sessionId, 'complete')).status).toBe(204);

    const download = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: itemId }),
    );
    const prepared = await alice.prepareDownloadFile(download, 'tls.iso');
    expect(prepared.status).toBe(200);
    let uri: string | undefined;
    for (let attempt = 0; attempt < 100 && uri === undefined; attempt++) {
      const file = alice.value<{ status: string; download_endpoint?: { uri: string } }>(
        await alice.getDownloadFile(download, 'tls.iso'),
      );
      if (file.status === 'PREPARED') uri = file.download_endpoint?.uri;
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(uri).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:${httpsPort}/cls/data/`));
    const got = Buffer.from(
      await (await undiciFetch(uri!, { dispatcher: trusting })).arrayBuffer(),
    );
    expect(createHash('sha256').update(got).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
  });

  it('a later start keeps the generated certificate; TLS_CERT_FILE and TLS_KEY_FILE replace it', async () => {
    const thumbprint = await presentedThumbprint(httpsPort);
    const againPort = await freePort();
    const again = await ServiceProcess.api({ ...deployment.env, HTTPS_PORT: String(againPort) });
    try {
      expect(await presentedThumbprint(againPort)).toBe(thumbprint);
      expect(again.log).toContain(`certificate SHA-256 ${thumbprint}`);
      expect(again.log).not.toContain('generated now');
    } finally {
      // Both listeners close on SIGTERM and the process exits cleanly.
      expect(await again.stop()).toBe(0);
    }

    const folder = mkdtempSync(join(tmpdir(), 'cls-tls-'));
    const [key] = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/.exec(
      keptPem,
    )!;
    const [cert] = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(keptPem)!;
    writeFileSync(join(folder, 'key.pem'), key);
    writeFileSync(join(folder, 'cert.pem'), cert);
    const configuredPort = await freePort();
    const configured = await ServiceProcess.api({
      ...deployment.env,
      STORAGE_ROOT: folder,
      HTTPS_PORT: String(configuredPort),
      TLS_CERT_FILE: join(folder, 'cert.pem'),
      TLS_KEY_FILE: join(folder, 'key.pem'),
    });
    try {
      expect(await presentedThumbprint(configuredPort)).toBe(thumbprint);
      expect(configured.log).not.toContain('self-signed');
    } finally {
      await configured.stop();
    }
  });

  it('the plain port still answers, with http URLs', async () => {
    const plain = new ContentLibraryDriver('api', deployment.alice);
    const { itemId } = await plain.newLibraryItem({ name: 'plain.iso' });
    const sessionId = plain.value<string>(await plain.createSession({ library_item_id: itemId }));
    const added = plain.value<{ upload_endpoint: { uri: string } }>(
      await plain.addFile(sessionId, { name: 'plain.iso', source_type: 'PUSH' }),
    );
    expect(added.upload_endpoint.uri.startsWith(`${deployment.api.baseUrl}/cls/data/`)).toBe(true);
  });
});
