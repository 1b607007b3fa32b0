import type { JobsOptions } from 'bullmq';

import type { AppConfig } from '@cls/config';
import type { JobName } from '@cls/domain';

/**
 * Retry policy per job (STYLE §6): transient errors throw and back off; processors are safe to run
 * twice, so finished jobs are not kept (a relayed-again event may enqueue its job again).
 */
export function jobOptions(config: Pick<AppConfig, 'pullAttempts'>): Record<JobName, JobsOptions> {
  const common: JobsOptions = { removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } };
  return {
    'pull-file': {
      ...common,
      attempts: config.pullAttempts,
      backoff: { type: 'exponential', delay: 1_000 },
    },
    'finish-completion': { ...common, attempts: 5, backoff: { type: 'exponential', delay: 500 } },
    'unpack-archive': { ...common, attempts: 3, backoff: { type: 'exponential', delay: 1_000 } },
    'expire-session': { ...common, attempts: 5, backoff: { type: 'exponential', delay: 500 } },
    'expire-download-session': {
      ...common,
      attempts: 5,
      backoff: { type: 'exponential', delay: 500 },
    },
    'discard-staging': { ...common, attempts: 3, backoff: { type: 'exponential', delay: 1_000 } },
    'collect-garbage': { ...common, attempts: 5, backoff: { type: 'exponential', delay: 1_000 } },
  };
}
