import type { Style } from '@cls/testing';
import { ContentLibraryDriver, expectError, HttpClient } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_hostile');
});

afterAll(() => deployment?.stop());

const backing = { storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }] };

describe.each<Style>(['rest', 'api'])('hostile input at the edge over /%s', (style) => {
  let alice: ContentLibraryDriver;
  const librariesPath = () =>
    style === 'rest' ? '/rest/com/vmware/content/local-library' : '/api/content/local-library';

  beforeAll(() => {
    alice = new ContentLibraryDriver(style, deployment.alice);
  });

  const libraryCount = async () => alice.value<string[]>(await alice.listLibraries()).length;

  it.each([
    ['a NUL', 'lib\u0000name'],
    ['an unpaired surrogate', 'lib\ud800name'],
    ['a string of 100 kB', 'x'.repeat(100_000)],
  ])('a name with %s is invalid_argument and creates nothing', async (_what, name) => {
    const before = await libraryCount();
    expectError(style, await alice.createLibrary({ name, ...backing }), 'INVALID_ARGUMENT');
    expect(await libraryCount()).toBe(before);
  });

  /** A request the framework refuses before routing: its status, and the vAPI body of the style. */
  async function refusedByFramework(path: string, status: number): Promise<void> {
    const response = await fetch(new URL(path, deployment.api.baseUrl));
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as Record<string, unknown>;
    const error = style === 'rest' ? body.value : body;
    if (style === 'rest') expect(body.type).toBe('com.vmware.vapi.std.errors.invalid_request');
    expect(error).toMatchObject({
      error_type: 'INVALID_REQUEST',
      messages: [expect.objectContaining({ id: 'com.vmware.vapi.rest.badRequest' })],
    });
  }

  it('a path segment past the router limit is 414, an undecodable URL 400, headers too large 431: all in the vAPI shape', async () => {
    const library =
      style === 'rest' ? '/rest/com/vmware/content/library/id:' : '/api/content/library/';
    await refusedByFramework(`${library}${'x'.repeat(5_000)}`, 414);
    await refusedByFramework(`${library}%E0%A4%A`, 400);
    await refusedByFramework(`${librariesPath()}?filler=${'x'.repeat(20_000)}`, 431);
  });

  it('a body nested 100,000 deep is invalid_request, never a 500', async () => {
    const depth = 100_000;
    const answer = await deployment.alice.request('POST', librariesPath(), {
      rawBody: `${'['.repeat(depth)}${']'.repeat(depth)}`,
    });
    expectError(style, answer, 'INVALID_REQUEST');
  });
});

describe('hostile credentials', () => {
  it('a login whose user name holds a NUL is refused as unauthenticated, never a 500', async () => {
    for (const style of ['api', 'rest'] as const) {
      await expect(
        new HttpClient(deployment.api.baseUrl).login('ali\u0000ce', 'alice-password', style),
      ).rejects.toThrow(/401/);
    }
  });
});
