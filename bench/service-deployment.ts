import { rm } from 'node:fs/promises';

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

export interface BenchDeployment {
  readonly database: TestDatabase;
  readonly env: Record<string, string>;
  readonly storageRoot: string;
  readonly api: ServiceProcess;
  /** Present when asked for: benches of the data plane alone need no worker. */
  readonly worker?: ServiceProcess;
  /** Logged in as the administrator, without contract checks (they would cost the client CPU). */
  readonly admin: HttpClient;
  /** Stops the processes and removes everything the deployment wrote. */
  stop(): Promise<void>;
}

/**
 * A throwaway deployment of the built services: its own database, Redis prefix and storage root,
 * the API and optionally one worker. Whatever fails half-way is torn down before rethrowing.
 */
export async function startDeployment(options: {
  readonly label: string;
  readonly env?: Record<string, string>;
  readonly worker: boolean;
}): Promise<BenchDeployment> {
  const database = await createTestDatabase(options.label);
  const env = deploymentEnv(database.url, { LOG_LEVEL: 'warn', ...options.env });
  const storageRoot = env.STORAGE_ROOT!;
  const started: ServiceProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((service) => service.stop()));
    await Promise.all([
      database.drop(),
      dropRedisKeys(env.REDIS_PREFIX!),
      rm(storageRoot, { recursive: true, force: true }),
    ]);
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
    return { database, env, storageRoot, api, ...(worker ? { worker } : {}), admin, stop };
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
