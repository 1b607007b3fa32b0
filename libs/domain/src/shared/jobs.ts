/** Queues of the worker fleet, by the role that serves them. */
export const QUEUE_OF_JOB = {
  'pull-file': 'session-transfer',
  'finish-completion': 'session-validation',
  'unpack-archive': 'session-validation',
  'expire-session': 'session-expiration',
  'expire-download-session': 'session-expiration',
  'discard-staging': 'session-cleanup',
  'collect-garbage': 'session-cleanup',
} as const;

export type JobName = keyof typeof QUEUE_OF_JOB;
export type QueueName = (typeof QUEUE_OF_JOB)[JobName];

/** Every queue once, in the order its first job is listed. */
export const QUEUE_NAMES: readonly QueueName[] = [...new Set(Object.values(QUEUE_OF_JOB))];

/**
 * A job an event calls for. Payloads are ids plus the causing event id, never copies of state
 * (job data sits in Redis in clear text); the id is deterministic, so relaying twice enqueues once.
 */
export interface Reaction {
  readonly job: JobName;
  readonly jobId: string;
  readonly data: { readonly causationId: string } & Readonly<Record<string, string>>;
  /** Run no earlier than this instant; absent: at once. */
  readonly runAt?: string;
}
