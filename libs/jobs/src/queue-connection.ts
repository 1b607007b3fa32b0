import type { ConnectionOptions } from 'bullmq';

import type { AppConfig } from '@cls/config';

/**
 * BullMQ's Redis settings: keys under `<REDIS_PREFIX>:bull`, so deployments and test runs sharing
 * one Redis never meet; `maxRetriesPerRequest: null` so blocking worker connections ride out a
 * Redis restart instead of failing their jobs (STYLE §6).
 */
export function queueConnection(config: Pick<AppConfig, 'redisUrl' | 'redisPrefix'>): {
  readonly connection: ConnectionOptions;
  readonly prefix: string;
} {
  return {
    connection: { url: config.redisUrl, maxRetriesPerRequest: null },
    prefix: `${config.redisPrefix}:bull`,
  };
}
