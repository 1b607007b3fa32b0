import type { HttpClient, ServiceProcess, TestDatabase } from '@cls/testing';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  createTestDatabase,
  deploymentEnv,
  dropRedisKeys,
  HttpClient as Client,
  ServiceProcess as Service,
} from '@cls/testing';

export interface Deployment {
  readonly database: TestDatabase;
  readonly env: Record<string, string>;
  readonly api: ServiceProcess;
  readonly worker: ServiceProcess;
  readonly admin: HttpClient;
  /** A user with the privileges of an importer on every library, and one who may only read. */
  readonly alice: HttpClient;
  readonly bob: HttpClient;
  stop(): Promise<void>;
}

export const ALICE_PRIVILEGES = [
  'System.Read',
  'ContentLibrary.CreateLocalLibrary',
  'ContentLibrary.DeleteLocalLibrary',
  'ContentLibrary.AddLibraryItem',
  'ContentLibrary.DeleteLibraryItem',
  'ContentLibrary.UpdateSession',
  'ContentLibrary.DownloadSession',
  'ContentLibrary.ReadStorage',
];

/**
 * One database, one Redis prefix, the built API and a worker: what `npm run start:*` runs. On the
 * machine's shared Postgres and Redis, or on `servers` of the test's own (a fault test's).
 */
export async function startDeployment(
  label: string,
  extraEnv: Record<string, string> = {},
  servers?: { readonly postgres: string; readonly redis: string },
): Promise<Deployment> {
  const database = await createTestDatabase(label, servers?.postgres);
  const env = deploymentEnv(database.url, {
    ...(servers ? { REDIS_URL: servers.redis } : {}),
    ...extraEnv,
  });
  // A start that fails leaves nothing behind: its processes are stopped, its database dropped.
  const started: ServiceProcess[] = [];
  const abandon = async (error: unknown): Promise<never> => {
    await Promise.all(started.map((service) => service.stop()));
    await database.drop();
    throw error;
  };
  const api = await Service.api(env).catch(abandon);
  started.push(api);
  const worker = await Service.worker(env).catch(abandon);
  started.push(worker);
  const { admin, alice, bob } = await (async () => {
    const admin = await new Client(api.baseUrl).login(ADMIN_USER, ADMIN_PASSWORD);
    for (const [name, privileges] of [
      ['alice', ALICE_PRIVILEGES],
      ['bob', ['System.Read']],
    ] as const) {
      const created = await admin.request('POST', '/api/cls/users', {
        body: {
          name,
          password: `${name}-password`,
          grants: privileges.map((privilege) => ({ privilege })),
        },
      });
      if (created.status !== 201)
        throw new Error(`cannot create ${name}: ${JSON.stringify(created.body)}`);
    }
    const alice = await new Client(api.baseUrl).login('alice', 'alice-password');
    const bob = await new Client(api.baseUrl).login('bob', 'bob-password');
    return { admin, alice, bob };
  })().catch(abandon);
  return {
    database,
    env,
    api,
    worker,
    admin,
    alice,
    bob,
    async stop() {
      await Promise.all([api.stop(), worker.stop()]);
      await Promise.all([database.drop(), dropRedisKeys(env.REDIS_PREFIX!, env.REDIS_URL)]);
    },
  };
}
