import { Client } from 'pg';

import { eventually } from '@cls/testing';

import { createItem, createLibrary, createSession } from './library-api';
import type { Figure } from './figure';
import { formatNumber } from './figure';
import type { LatencyPanel } from './latency-chart';
import type { Distribution } from './measure';
import { cpuSeconds, distributionOf, elapsedMs } from './measure';
import { withDeployment } from './service-deployment';

export interface ExpiryBenchOptions {
  readonly sessions: number;
  readonly timeoutSeconds: number;
  /** Requests in flight while creating: enough to keep the API busy, few enough not to queue up. */
  readonly concurrency: number;
}

/** Runs `task(0 .. count-1)` with at most `concurrency` of them pending at once. */
async function inParallel(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

async function expiredCount(db: Client): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    `SELECT count(*) FROM events WHERE event_type = 'UpdateSessionExpired'`,
  );
  return Number(rows[0]!.count);
}

interface Expiry {
  /** Epoch ms. */
  readonly deadline: number;
  readonly latenessMs: number;
}

/**
 * Lateness of every expiry, in ms: when the worker recorded `UpdateSessionExpired` minus the
 * deadline the session was created with. The deadline comes from the `UpdateSessionCreated` event,
 * not from `update_session_view`: the view moves `expiration_time` to the purge deadline once a
 * session expires and drops the row once it is purged, both of which happen to the first sessions
 * (with a short timeout) before the last ones are even created.
 */
async function expiries(db: Client): Promise<Expiry[]> {
  const { rows } = await db.query<{ deadline: Date; lateness_ms: number }>(
    `SELECT (created.data->>'expiresAt')::timestamptz AS deadline,
            (extract(epoch FROM expired.recorded_at - (created.data->>'expiresAt')::timestamptz)
             * 1000)::float8 AS lateness_ms
       FROM events created
       JOIN events expired ON expired.stream_id = created.stream_id
      WHERE created.event_type = 'UpdateSessionCreated'
        AND expired.event_type = 'UpdateSessionExpired'
      ORDER BY lateness_ms`,
  );
  return rows.map((row) => ({ deadline: row.deadline.getTime(), latenessMs: row.lateness_ms }));
}

function lateness(expiries: readonly Expiry[]): Distribution {
  return distributionOf(expiries.map((expiry) => expiry.latenessMs));
}

/**
 * How late idle sessions expire under load (contract §8.5): creates many update sessions, one per
 * item, on a short SESSION_TIMEOUT_SECONDS, waits until the worker has expired all of them and
 * reports the lateness distribution. The first sessions expire while the last are still being
 * created, so the expiry path is measured under the API's write load too.
 */
export async function benchExpiry(options: ExpiryBenchOptions): Promise<Record<string, unknown>> {
  const timeout = String(options.timeoutSeconds);
  return withDeployment(
    { label: 'bench_expiry', worker: true, env: { SESSION_TIMEOUT_SECONDS: timeout } },
    async ({ admin, api, worker, database }) => {
      const db = new Client({ connectionString: database.url });
      // Without a listener a dropped connection (a Postgres restart) kills the bench before the
      // clean-up runs; with one, the next query fails and the deployment is still torn down.
      db.on('error', () => undefined);
      await db.connect();
      try {
        const library = await createLibrary(admin, 'bench');
        const started = process.hrtime.bigint();
        const cpuBefore = [cpuSeconds(api.pid!), cpuSeconds(worker!.pid!)] as const;
        await inParallel(options.sessions, options.concurrency, async (index) => {
          // Only one ACTIVE session per item is allowed, so every session gets an item of its own.
          await createSession(admin, await createItem(admin, library, `bench-${index}`));
        });
        const creationSeconds = elapsedMs(started) / 1000;
        const createdAll = Date.now();
        const [apiCpu, workerCpu] = [cpuSeconds(api.pid!), cpuSeconds(worker!.pid!)];

        await eventually(
          () => expiredCount(db),
          (count) => count >= options.sessions,
          {
            timeoutMs: (options.timeoutSeconds + 120) * 1000,
            intervalMs: 500,
            what: `${options.sessions} sessions expired`,
          },
        );
        const expired = await expiries(db);
        const all = lateness(expired);
        // Split by whether the deadline fell while sessions were still being created (the
        // worker competing with the API for the CPU) or after: separates load from mechanism.
        const duringCreation = lateness(expired.filter((expiry) => expiry.deadline <= createdAll));
        const afterCreation = lateness(expired.filter((expiry) => expiry.deadline > createdAll));
        const sessionsPerSecond = options.sessions / creationSeconds;
        return {
          sessions: options.sessions,
          timeoutSeconds: options.timeoutSeconds,
          creation: {
            concurrency: options.concurrency,
            seconds: creationSeconds,
            sessionsPerSecond,
            // Who was busy while creating: the API serving, the worker already expiring.
            apiCpuSeconds: apiCpu - cpuBefore[0],
            workerCpuSeconds: workerCpu - cpuBefore[1],
          },
          latenessMs: all,
          latenessMsDuringCreation: duringCreation,
          latenessMsAfterCreation: afterCreation,
          figures: [
            {
              name: `expiry lateness p99 (${options.sessions} sessions)`,
              value: all.p99,
              unit: 'ms',
              baseline: `p50 ${formatNumber(all.p50)} ms (no in-run baseline)`,
              target: { atMost: 1000 },
            },
            {
              name: 'expiry bench: sessions created per second (item + session)',
              value: sessionsPerSecond,
              unit: 'sessions/s',
            },
          ] satisfies Figure[],
          latency: [
            {
              title: `expiry lateness, ${options.sessions} sessions`,
              groups: [
                { label: 'all', distribution: all },
                { label: 'deadline during creation', distribution: duringCreation },
                { label: 'deadline after creation', distribution: afterCreation },
              ],
              target: { label: 'p99 target', ms: 1000 },
            },
          ] satisfies LatencyPanel[],
        };
      } finally {
        await db.end();
      }
    },
  );
}
