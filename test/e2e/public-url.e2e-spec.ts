import { randomBytes } from 'node:crypto';

import type { Style } from '@cls/testing';
import { ContentLibraryDriver, upload } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

/** Where clients reach the service through a proxy: not where it listens. */
const PUBLIC_URL = 'https://cls.example.test:8443/';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_public_url', { PUBLIC_URL });
});

afterAll(() => deployment?.stop());

/** The same path on the service itself, as the proxy would forward it. */
const behindTheProxy = (uri: string) =>
  new URL(new URL(uri).pathname, deployment.api.baseUrl).toString();

describe.each<Style>(['rest', 'api'])('PUBLIC_URL over /%s', (style) => {
  it('is the base of the upload and download URLs handed out, whatever host the client used', async () => {
    const alice = new ContentLibraryDriver(style, deployment.alice);
    const { itemId } = await alice.newLibraryItem({ name: 'proxied' });
    const session = alice.value<string>(await alice.createSession({ library_item_id: itemId }));
    const bytes = randomBytes(4096);
    const added = alice.value<{ upload_endpoint: { uri: string } }>(
      await alice.addFile(session, { name: 'a.iso', source_type: 'PUSH', size: bytes.length }),
    );
    expect(added.upload_endpoint.uri.startsWith('https://cls.example.test:8443/cls/data/')).toBe(
      true,
    );
    expect((await upload(behindTheProxy(added.upload_endpoint.uri), bytes)).status).toBe(200);
    expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));

    const download = alice.value<string>(
      await alice.createDownloadSession({ library_item_id: itemId }),
    );
    const prepared = alice.value<{ download_endpoint?: { uri: string } }>(
      await alice.prepareDownloadFile(download, 'a.iso'),
    );
    const uri = prepared.download_endpoint!.uri;
    expect(uri.startsWith('https://cls.example.test:8443/cls/data/')).toBe(true);
    const served = await fetch(behindTheProxy(uri));
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
