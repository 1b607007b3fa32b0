import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { PrometheusSample, ServiceProcess, SourceServer } from '@cls/testing';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  ContentLibraryDriver,
  eventually,
  freePort,
  parsePrometheusText,
  sampleValue,
  startSourceServer,
  upload,
} from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

const CONTRACT = resolve(__dirname, '../../../shared/contract/openapi-content-library.json');

let deployment: Deployment;
let source: SourceServer;
let workerMetricsUrl: string;
let alice: ContentLibraryDriver;

beforeAll(async () => {
  const metricsPort = await freePort();
  source = await startSourceServer({ size: 200 * 1024 });
  deployment = await startDeployment('e2e_observability', {
    LOG_LEVEL: 'info',
    METRICS_PORT: String(metricsPort),
    PULL_ALLOWED_NETWORKS: '127.0.0.0/8',
  });
  workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  alice = new ContentLibraryDriver('api', deployment.alice);
}, 60_000);

afterAll(async () => {
  await deployment?.stop();
  await source?.close();
});

async function scrape(url: string): Promise<{ text: string; samples: PrometheusSample[] }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await response.text();
  return { text, samples: parsePrometheusText(text) };
}

const apiMetrics = () => scrape(`${deployment.api.baseUrl}/metrics`);
const workerMetrics = () => scrape(workerMetricsUrl);

async function newItem(): Promise<string> {
  const library = alice.value<string>(
    await alice.createLibrary({
      name: `lib-${randomUUID()}`,
      storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }],
    }),
  );
  return alice.value<string>(await alice.createItem({ library_id: library, name: 'x' }));
}

/** Pushes `bytes` as disk.iso of a new update session; returns the session and its upload URL. */
async function pushFile(item: string, bytes: Buffer): Promise<{ session: string; uri: string }> {
  const session = alice.value<string>(await alice.createSession({ library_item_id: item }));
  const added = alice.value<{ upload_endpoint: { uri: string } }>(
    await alice.addFile(session, { name: 'disk.iso', source_type: 'PUSH', size: bytes.length }),
  );
  expect((await upload(added.upload_endpoint.uri, bytes)).status).toBe(200);
  return { session, uri: added.upload_endpoint.uri };
}

/** Commits `bytes` into a new item and prepares them for download; returns the download URL. */
async function downloadable(bytes: Buffer): Promise<{ item: string; uri: string }> {
  const item = await newItem();
  const { session } = await pushFile(item, bytes);
  expect((await alice.action(session, 'complete')).status).toBe(alice.ok('void'));
  const download = alice.value<string>(
    await alice.createDownloadSession({ library_item_id: item }),
  );
  const prepared = alice.value<{ download_endpoint: { uri: string } }>(
    await alice.prepareDownloadFile(download, 'disk.iso'),
  );
  return { item, uri: prepared.download_endpoint.uri };
}

/** Every complete line of a process's output, parsed (the last may still be being written). */
function jsonLines(service: ServiceProcess): Record<string, unknown>[] {
  return service.log
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('GET /metrics on the API', () => {
  it('times requests by route pattern: data-plane tokens and session ids never become labels', async () => {
    const bytes = randomBytes(64 * 1024);
    const { item, uri } = await downloadable(bytes);
    const download = await fetch(uri);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    const unknownToken = await fetch(`${deployment.api.baseUrl}/cls/data/${'ab'.repeat(32)}/x`);
    expect(unknownToken.status).toBe(404);
    await fetch(`${deployment.api.baseUrl}/no/such/${randomUUID()}`);

    const { text, samples } = await apiMetrics();
    const requests = (labels: Record<string, string>) =>
      sampleValue(samples, 'cls_http_request_duration_seconds_count', labels);
    const dataPlane = '/cls/data/:token/:name';
    expect(requests({ method: 'PUT', route: dataPlane, status_class: '2xx' })).toBeGreaterThan(0);
    expect(requests({ method: 'GET', route: dataPlane, status_class: '2xx' })).toBeGreaterThan(0);
    expect(requests({ method: 'GET', route: dataPlane, status_class: '4xx' })).toBeGreaterThan(0);
    expect(requests({ route: '/api/content/library/item/update-session' })).toBeGreaterThan(0);
    expect(requests({ route: 'unmatched', status_class: '4xx' })).toBeGreaterThan(0);
    expect(
      samples.some((sample) => sample.name === 'cls_http_request_duration_seconds_bucket'),
    ).toBe(true);

    const token = new URL(uri).pathname.split('/')[3]!;
    for (const secret of [token, 'ab'.repeat(32), item]) expect(text).not.toContain(secret);
    const routes = new Set(samples.map((sample) => sample.labels.route).filter(Boolean));
    for (const route of routes) expect(route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|[0-9a-f]{64}/);
  });

  it('counts sessions by kind and state from the views at each scrape', async () => {
    const count = async (kind: string, state: string) =>
      sampleValue((await apiMetrics()).samples, 'cls_sessions', { kind, state });
    const active = await count('update', 'ACTIVE');
    const canceled = await count('update', 'CANCELED');
    const downloads = await count('download', 'ACTIVE');

    const item = await newItem();
    const first = alice.value<string>(await alice.createSession({ library_item_id: item }));
    expect((await alice.action(first, 'cancel')).status).toBe(alice.ok('void'));
    alice.value<string>(await alice.createSession({ library_item_id: item }));
    alice.value<string>(await alice.createDownloadSession({ library_item_id: item }));

    expect(await count('update', 'ACTIVE')).toBe(active + 1);
    expect(await count('update', 'CANCELED')).toBe(canceled + 1);
    expect(await count('download', 'ACTIVE')).toBe(downloads + 1);
  });

  it('counts the bytes of uploads and downloads, and times event appends', async () => {
    const bytesOf = async (direction: string) =>
      sampleValue((await apiMetrics()).samples, 'cls_transfer_bytes_total', { direction });
    const uploaded = await bytesOf('upload');
    const downloaded = await bytesOf('download');

    const bytes = randomBytes(300 * 1024);
    const { uri } = await downloadable(bytes);
    expect(await bytesOf('upload')).toBe(uploaded + bytes.length);
    const response = await fetch(uri);
    expect((await response.arrayBuffer()).byteLength).toBe(bytes.length);
    await eventually(
      () => bytesOf('download'),
      (value) => value === downloaded + bytes.length,
      { what: 'download bytes counted' },
    );
    const ranged = await fetch(uri, { headers: { range: 'bytes=0-999' } });
    expect(ranged.status).toBe(206);
    await ranged.arrayBuffer();
    await eventually(
      () => bytesOf('download'),
      (value) => value === downloaded + bytes.length + 1000,
      { what: 'ranged download bytes counted' },
    );

    const { samples } = await apiMetrics();
    expect(
      sampleValue(samples, 'cls_event_append_duration_seconds_count', { outcome: 'ok' }),
    ).toBeGreaterThan(0);
  });
});

describe('METRICS_PORT on a worker', () => {
  it('shows queue depths and job durations by queue and job', async () => {
    const item = await newItem();
    const session = alice.value<string>(await alice.createSession({ library_item_id: item }));
    expect(
      (
        await alice.addFile(session, {
          name: 'pulled.iso',
          source_type: 'PULL',
          source_endpoint: { uri: `${source.baseUrl}/file.bin` },
        })
      ).status,
    ).toBe(alice.ok('create'));
    expect((await alice.action(session, 'cancel')).status).toBe(alice.ok('void'));

    const { samples } = await eventually(
      workerMetrics,
      ({ samples: now }) =>
        sampleValue(now, 'cls_job_duration_seconds_count', {
          queue: 'session-cleanup',
          job: 'discard-staging',
          outcome: 'completed',
        }) > 0 &&
        sampleValue(now, 'cls_job_duration_seconds_count', { queue: 'session-transfer' }) > 0,
      { what: 'the pull and the discard-staging job measured', timeoutMs: 20_000 },
    );
    for (const queue of [
      'session-transfer',
      'session-validation',
      'session-expiration',
      'session-cleanup',
    ]) {
      const states = samples.filter(
        (sample) => sample.name === 'cls_queue_jobs' && sample.labels.queue === queue,
      );
      expect(states.map((sample) => sample.labels.state)).toEqual(
        expect.arrayContaining(['waiting', 'active', 'delayed', 'failed', 'completed']),
      );
    }
    // The session's expiry waits as a delayed job until its deadline, minutes away.
    expect(
      sampleValue(samples, 'cls_queue_jobs', { queue: 'session-expiration', state: 'delayed' }),
    ).toBeGreaterThan(0);
    expect(sampleValue(samples, 'cls_job_failures_total')).toBe(0);
  });

  it("counts the bytes a pull fetched and times the worker's appends", async () => {
    const pulled = async () =>
      sampleValue((await workerMetrics()).samples, 'cls_transfer_bytes_total', {
        direction: 'pull',
      });
    const before = await pulled();
    const session = alice.value<string>(
      await alice.createSession({ library_item_id: await newItem() }),
    );
    await alice.addFile(session, {
      name: 'pulled.iso',
      source_type: 'PULL',
      source_endpoint: { uri: `${source.baseUrl}/file.bin` },
    });
    await eventually(
      async () => alice.value<{ status: string }>(await alice.getFile(session, 'pulled.iso')),
      (file) => file.status === 'READY',
      { what: 'pulled file READY', timeoutMs: 20_000 },
    );
    expect(await pulled()).toBe(before + source.bytes.length);
    // The worker recorded the received file: its own append, timed.
    expect(
      sampleValue((await workerMetrics()).samples, 'cls_event_append_duration_seconds_count', {
        outcome: 'ok',
      }),
    ).toBeGreaterThan(0);
  });

  it('answers nothing but GET /metrics', async () => {
    expect((await fetch(workerMetricsUrl.replace('/metrics', '/other'))).status).toBe(404);
    expect((await fetch(workerMetricsUrl, { method: 'POST' })).status).toBe(404);
  });
});

describe('structured logs', () => {
  it('are JSON lines with level, time and msg in every process', () => {
    for (const service of [deployment.api, deployment.worker]) {
      const lines = jsonLines(service);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line).toEqual(
          expect.objectContaining({
            level: expect.any(String),
            time: expect.any(String),
            msg: expect.any(String),
          }),
        );
      }
    }
  });

  it('carry one correlation id from the request to the job it causes and the event it stores', async () => {
    const correlationId = `obs-${randomUUID()}`;
    const session = alice.value<string>(
      await alice.createSession({ library_item_id: await newItem() }),
    );
    const canceled = await deployment.alice.request(
      'POST',
      `/api/content/library/item/update-session/${session}?action=cancel`,
      { headers: { 'x-request-id': correlationId } },
    );
    expect(canceled.status).toBe(204);
    expect(canceled.headers.get('x-request-id')).toBe(correlationId);

    const tagged = (service: ServiceProcess) =>
      jsonLines(service).filter((line) => line.correlationId === correlationId);
    const apiLines = await eventually(
      () => tagged(deployment.api),
      (lines) => lines.length > 0,
      { what: 'the API request line' },
    );
    expect(apiLines).toContainEqual(
      expect.objectContaining({
        msg: 'request completed',
        route: '/api/content/library/item/update-session/:id',
        status: 204,
      }),
    );
    const workerLines = await eventually(
      () => tagged(deployment.worker),
      (lines) => lines.some((line) => line.msg === 'discard-staging done'),
      { what: 'the worker job line', timeoutMs: 20_000 },
    );
    expect(workerLines).toContainEqual(
      expect.objectContaining({ queue: 'session-cleanup', context: 'jobs' }),
    );

    const db = await deployment.database.open();
    const [event] = await db.query<{ correlation_id: string }[]>(
      `SELECT metadata->>'correlationId' AS correlation_id FROM events
        WHERE stream_id = $1 AND event_type = 'UpdateSessionCanceled'`,
      [`update_session-${session}`],
    );
    expect(event?.correlation_id).toBe(correlationId);
  });

  it('never carry a data-plane URL', () => {
    expect(deployment.api.log).not.toMatch(/\/cls\/data\/[0-9a-f]{64}/);
  });
});

describe('/api-docs', () => {
  it('serves Swagger UI over both documents', async () => {
    const page = await fetch(`${deployment.api.baseUrl}/api-docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const initializer = await (
      await fetch(`${deployment.api.baseUrl}/api-docs/static/swagger-initializer.js`)
    ).text();
    expect(initializer).toContain('/api-docs/json');
    expect(initializer).toContain('/api-docs/content-library.json');
  });

  it('serves our own OpenAPI document, public, with our endpoints', async () => {
    const response = await fetch(`${deployment.api.baseUrl}/api-docs/json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/cls/users',
        '/api/cls/users/{name}',
        '/api/cls/users/{name}/grants',
        '/cls/data/{token}/{name}',
        '/metrics',
        '/admin/queues',
      ]),
    );
  });

  it("serves the contract's document as it is in ../shared/contract, less what is not served", async () => {
    type Document = { paths: Record<string, Record<string, unknown>> };
    const response = await fetch(`${deployment.api.baseUrl}/api-docs/content-library.json`);
    expect(response.status).toBe(200);
    const served = (await response.json()) as Document;
    const contract = JSON.parse(readFileSync(CONTRACT, 'utf8')) as Document;
    const left: string[] = [];
    for (const [path, operations] of Object.entries(contract.paths))
      for (const [method, operation] of Object.entries(operations)) {
        const kept = served.paths[path]?.[method];
        if (kept === undefined) left.push(`${method} ${path}`);
        else expect(kept).toEqual(operation);
      }
    // Updating a library's or an item's metadata is not served (README, "Not served").
    expect(left.sort()).toEqual([
      'patch /api/content/library/item/{library_item_id}',
      'patch /api/content/library/{library_id}',
      'patch /api/content/local-library/{library_id}',
      'patch /rest/com/vmware/content/library/id:{library_id}',
      'patch /rest/com/vmware/content/library/item/id:{library_item_id}',
      'patch /rest/com/vmware/content/local-library/id:{library_id}',
    ]);
    expect({ ...served, paths: {} }).toEqual({ ...contract, paths: {} });
  });
});

describe('/admin/queues', () => {
  const dashboard = (headers: Record<string, string> = {}, path = '/admin/queues') =>
    fetch(`${deployment.api.baseUrl}${path}`, { headers });
  const basic = (user: string, password: string) => ({
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
  });

  it('asks for a login without one, or with a bad one', async () => {
    const attempts: Record<string, string>[] = [
      {},
      basic(ADMIN_USER, 'wrong-password'),
      { authorization: 'Basic !!!' },
      { authorization: 'Bearer x' },
      { 'vmware-api-session-id': 'no-such-token' },
      { cookie: 'vmware-api-session-id=no-such-token' },
    ];
    for (const headers of attempts) {
      const response = await dashboard(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    }
    expect((await dashboard({}, '/admin/queues/api/queues')).status).toBe(401);
  });

  it('refuses users who are not administrators', async () => {
    expect((await dashboard({ 'vmware-api-session-id': deployment.bob.token! })).status).toBe(403);
    expect((await dashboard(basic('bob', 'bob-password'))).status).toBe(403);
    expect(
      (await dashboard(basic('alice', 'alice-password'), '/admin/queues/api/queues')).status,
    ).toBe(403);
  });

  it('shows every queue to an administrator, by API login or Basic credentials', async () => {
    const page = await dashboard({ 'vmware-api-session-id': deployment.admin.token! });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(
      (await dashboard({ cookie: `vmware-api-session-id=${deployment.admin.token!}` })).status,
    ).toBe(200);
    const queues = await dashboard(basic(ADMIN_USER, ADMIN_PASSWORD), '/admin/queues/api/queues');
    expect(queues.status).toBe(200);
    const body = (await queues.json()) as { queues: { name: string }[] };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual([
      'session-cleanup',
      'session-expiration',
      'session-transfer',
      'session-validation',
    ]);
  });
});
