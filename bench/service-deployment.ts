import { rm } from 'node:fs/promises';

import type { HttpClient, PrivatePostgres, PrivateRedis, ServiceProcess } from '@cls/testing';
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  createTestDatabase,
  deploymentEnv,
  dropRedisKeys,
  HttpClient as Client,
  ServiceProcess as Service,
  startPrivatePostgres,
  startPrivateRedis,
} from '@cls/testing';

/** A Postgres cluster and a Redis that serve one deployment and nothing else. */
export interface PrivateServers {
  readonly postgres: PrivatePostgres;
  readonly redis: PrivateRedis;
}

export interface BenchDeployment {
  readonly database: { readonly url: string; readonly name: string };
  readonly env: Record<string, string>;
  readonly storageRoot: string;
  /** Present when asked for: then every statement, command and CPU second of them is its own. */
  readonly servers?: PrivateServers;
  readonly api: ServiceProcess;
  /** Present when asked for: benches of the data plane alone need no worker. */
  readonly worker?: ServiceProcess;
  /** Logged in as the administrator, without contract checks (they would cost the client CPU). */
  readonly admin: HttpClient;
  /** Stops the processes and removes everything the deployment wrote. */
  stop(): Promise<void>;
}

async function startPrivateServers(
  postgresSettings: Readonly<Record<string, string>> | undefined,
): Promise<PrivateServers> {
  const postgres = await startPrivatePostgres(
    postgresSettings ? { settings: postgresSettings } : {},
  );
  try {
    return { postgres, redis: await startPrivateRedis() };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

/**
 * A throwaway deployment of the built services: its own database, Redis prefix and storage root,
 * the API and optionally one worker, on the machine's shared Postgres and Redis or on servers of
 * its own (`privateServers`, with these Postgres settings). Whatever fails half-way is torn down
 * before rethrowing.
 */
export async function startDeployment(options: {
  readonly label: string;
  readonly env?: Record<string, string>;
  readonly worker: boolean;
  readonly privateServers?: { readonly postgresSettings?: Readonly<Record<string, string>> };
}): Promise<BenchDeployment> {
  const servers =
    options.privateServers && (await startPrivateServers(options.privateServers.postgresSettings));
  let database: { readonly url: string; readonly name: string };
  /** Removes the deployment's data: its servers, or its database and keys on the shared ones. */
  let dropData: () => Promise<unknown>;
  if (servers) {
    const name = `cls_${options.label}`;
    // The API creates and migrates it as it starts, as in production.
    database = { url: `${servers.postgres.url}/${name}`, name };
    dropData = () => Promise.all([servers.postgres.stop(), servers.redis.stop()]);
  } else {
    const shared = await createTestDatabase(options.label);
    database = shared;
    dropData = () => Promise.all([shared.drop(), dropRedisKeys(env.REDIS_PREFIX!)]);
  }
  const env = deploymentEnv(database.url, {
    LOG_LEVEL: 'warn',
    ...(servers ? { REDIS_URL: servers.redis.url } : {}),
    ...options.env,
  });
  const storageRoot = env.STORAGE_ROOT!;
  const started: ServiceProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((service) => service.stop()));
    await Promise.all([dropData(), rm(storageRoot, { recursive: true, force: true })]);
  };
  try {
    const api = await Service.api(env);
    started.push(api);
    const worker = options.worker ? await Service.worker(env) : undefined;
    if (worker) started.push(worker);
    const admin = await new Client(api.baseUrl, { contract: false }).login(
      ADMIN_USER,
      ADMIN_PASSWORD,
    );
    return {
      database,
      env,
      storageRoot,
      ...(servers ? { servers } : {}),
      api,
      ...(worker ? { worker } : {}),
      admin,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs `bench` against a fresh deployment and always cleans up after it. */
export async function withDeployment<T>(
  options: Parameters<typeof startDeployment>[0],
  bench: (deployment: BenchDeployment) => Promise<T>,
): Promise<T> {
  const deployment = await startDeployment(options);
  try {
    return await bench(deployment);
  } finally {
    await deployment.stop();
  }
}
