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

/**
 * Jobs that look at the current state of their session or item when they run, so that of several
 * offered together the last one does the work of all: a deadline job checks the latest deadline
 * (the one the last event set), a completion, a discard or a collection sees every earlier event.
 */
const CURRENT_STATE_JOBS: ReadonlySet<JobName> = new Set<JobName>([
  'finish-completion',
  'expire-session',
  'expire-download-session',
  'discard-staging',
  'collect-garbage',
]);

/**
 * Reactions in event order, with each current-state job kept only for the last event that asked
 * for it per session or item: the relay offers one job where a batch of events called for several.
 */
export function withoutSupersededJobs<R extends Reaction>(reactions: readonly R[]): R[] {
  const keys = reactions.map((reaction) => {
    const subject = reaction.data.sessionId ?? reaction.data.itemId;
    return CURRENT_STATE_JOBS.has(reaction.job) && subject !== undefined
      ? `${reaction.job}:${subject}`
      : undefined;
  });
  const lastOf = new Map(keys.map((key, index) => [key, index]));
  return reactions.filter((_, index) => {
    const key = keys[index];
    return key === undefined || lastOf.get(key) === index;
  });
}
