import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  ContentLibraryDriver,
  createTestDatabase,
  deploymentEnv,
  expectError,
  HttpClient,
  ServiceProcess,
} from '@cls/testing';
import { MIGRATIONS } from '@cls/migrations';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_fleet');
}, 60_000);

afterAll(() => deployment?.stop());

const newItem = async (driver: ContentLibraryDriver) =>
  (await driver.newLibraryItem({ name: 'template' })).itemId;

describe('several API processes on one database', () => {
  it('50 concurrent creates on one item through HTTP: exactly one ACTIVE session, the rest resource_busy', async () => {
    const driver = new ContentLibraryDriver('api', deployment.alice);
    const itemId = await newItem(driver);
    const second = await ServiceProcess.api(deployment.env);
    try {
      const drivers = [
        driver,
        new ContentLibraryDriver('api', deployment.alice.withBaseUrl(second.baseUrl)),
      ];
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) =>
          drivers[index % 2]!.createSession({ library_item_id: itemId }),
        ),
      );
      const created = results.filter((result) => result.status === 201);
      expect(created).toHaveLength(1);
      for (const result of results.filter((r) => r.status !== 201))
        expectError('api', result, 'RESOURCE_BUSY');
      expect(driver.value<string[]>(await driver.listSessions(itemId))).toEqual([
        driver.value<string>(created[0]!),
      ]);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('a second API process on another port sees and operates the same sessions', async () => {
    const first = new ContentLibraryDriver('rest', deployment.alice);
    const itemId = await newItem(first);
    const sessionId = first.value<string>(await first.createSession({ library_item_id: itemId }));
    const second = await ServiceProcess.api(deployment.env);
    try {
      // The login made on the first process is valid on the second: sessions live in Postgres.
      const other = new ContentLibraryDriver('api', deployment.alice.withBaseUrl(second.baseUrl));
      expect(other.value<{ state: string }>(await other.getSession(sessionId)).state).toBe(
        'ACTIVE',
      );
      expect((await other.action(sessionId, 'keep-alive', { client_progress: 30 })).status).toBe(
        204,
      );
      expect((await other.action(sessionId, 'complete')).status).toBe(204);
      expect(
        first.value<{ state: string; client_progress: number }>(await first.getSession(sessionId)),
      ).toMatchObject({
        state: 'DONE',
        client_progress: 30,
      });
    } finally {
      await second.stop();
    }
  });
});

describe('processes', () => {
  it('the API answers readiness and SIGTERM ends it cleanly', async () => {
    const api = await ServiceProcess.api(deployment.env);
    const ready = await fetch(`${api.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', postgres: true, redis: true });
    expect(await api.stop('SIGTERM')).toBe(0);
  });

  it('a worker boots against Postgres and Redis and exits 0 on SIGTERM', async () => {
    const worker = await ServiceProcess.worker(deployment.env);
    expect(await worker.stop('SIGTERM')).toBe(0);
  });

  it('a worker started before any API creates and migrates a missing database', async () => {
    const database = await createTestDatabase('e2e_worker_first');
    await database.drop();
    try {
      const worker = await ServiceProcess.worker(deploymentEnv(database.url));
      expect(await worker.stop('SIGTERM')).toBe(0);
      const db = await database.open();
      const [applied] = await db.query<{ count: number }[]>(
        'SELECT count(*)::int AS count FROM schema_migrations',
      );
      expect(applied?.count).toBe(MIGRATIONS.length);
    } finally {
      await database.drop();
    }
  });

  it('npm start mode (--with-workers) serves the API and runs the worker roles in one process', async () => {
    const combined = await ServiceProcess.api({ ...deployment.env, LOG_LEVEL: 'info' }, [
      '--with-workers',
    ]);
    try {
      await combined.waitForLog(/worker ready/);
      const client = await new HttpClient(combined.baseUrl).login(
        ADMIN_USER,
        ADMIN_PASSWORD,
        'rest',
      );
      expect((await client.request('GET', '/rest/com/vmware/content/library')).status).toBe(200);
    } finally {
      expect(await combined.stop()).toBe(0);
    }
  });

  it('a bad configuration stops the boot and names every offending key', async () => {
    await expect(
      ServiceProcess.api({
        ...deployment.env,
        PORT_IGNORED: '1',
        SESSION_TIMEOUT_SECONDS: '-5',
        LOG_LEVEL: 'loud',
      }),
    ).rejects.toThrow(
      /SESSION_TIMEOUT_SECONDS[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*SESSION_TIMEOUT_SECONDS/,
    );
  });
});
