import type { Figure } from './figure';
import { formatNumber } from './figure';
import type { LatencyPanel } from './latency-chart';
import { createItem, createLibrary } from './library-api';
import type { Distribution } from './measure';
import { cpuSeconds, distributionOf, postgresCpuSeconds } from './measure';
import { withDeployment } from './service-deployment';
import type { SessionCall } from './session-load';
import { emptyLatencies, loginLane, runLanes, SESSION_CALLS, sessionLane } from './session-load';
import { TimedClient } from './timed-client';

export interface ControlPlaneBenchOptions {
  /** Concurrent clients of each level, each looping over whole sessions. */
  readonly levels: readonly number[];
  /** How long each level runs; its baseline runs a third as long. */
  readonly seconds: number;
  /** Unmeasured sessions first, so the JIT and the pools are warm before anything counts. */
  readonly warmUpSeconds: number;
  /**
   * Items each client cycles through: a complete commits to the item's stream, so one item per
   * client would measure ever longer item streams rather than the session lifecycle.
   */
  readonly itemsPerClient: number;
}

export interface LevelResult {
  readonly clients: number;
  readonly seconds: number;
  readonly sessions: number;
  readonly sessionsPerSecond: number;
  readonly latencyMs: Record<SessionCall, Distribution>;
  /** CPU each party burnt per session: what the throughput costs, whatever else runs on the host. */
  readonly cpuMsPerSession: {
    readonly api: number;
    readonly worker: number;
    readonly postgres: number;
    readonly client: number;
  };
  /** `GET /api/session` at the same concurrency: the framework, authentication and one query. */
  readonly baseline: { readonly requestsPerSecond: number; readonly latencyMs: Distribution };
  /** API calls per second inside sessions against the baseline's: what the engine costs. */
  readonly callRateRatio: number;
}

/**
 * Control-plane throughput (issue 6): clients each loop create session → add a 1 KiB PUSH file →
 * PUT its bytes → complete → GET the session, against the API and a worker on a fresh database.
 * Reports sessions/s and per-call latency at each concurrency, next to the API's cheapest
 * authenticated GET at the same concurrency.
 */
export async function benchControlPlane(
  options: ControlPlaneBenchOptions,
): Promise<Record<string, unknown>> {
  return withDeployment({ label: 'bench_control_plane', worker: true }, async (deployment) => {
    const { admin, api, database, worker } = deployment;
    const library = await createLibrary(admin, 'bench');
    let itemCount = 0;
    /** `itemsPerClient` fresh items for each of `clients` lanes. */
    const itemsFor = async (clients: number): Promise<string[][]> => {
      const items: string[][] = [];
      for (let client = 0; client < clients; client += 1) {
        const ring: string[] = [];
        for (let index = 0; index < options.itemsPerClient; index += 1) {
          ring.push(await createItem(admin, library, `bench-${(itemCount += 1)}`));
        }
        items.push(ring);
      }
      return items;
    };
    const cpuNow = () => ({
      api: cpuSeconds(api.pid!),
      worker: cpuSeconds(worker!.pid!),
      postgres: postgresCpuSeconds(database.name),
      client: process.cpuUsage(),
    });

    const warmUp = new TimedClient(api.baseUrl, 8, admin.token!);
    try {
      await runLanes(8, options.warmUpSeconds, sessionLane(warmUp, await itemsFor(8)));
      await runLanes(8, options.warmUpSeconds / 3, loginLane(warmUp, []));
    } finally {
      await warmUp.close();
    }

    const levels: LevelResult[] = [];
    for (const clients of options.levels) {
      const items = await itemsFor(clients);
      const client = new TimedClient(api.baseUrl, clients, admin.token!);
      try {
        const loginLatencies: number[] = [];
        const logins = await runLanes(
          clients,
          options.seconds / 3,
          loginLane(client, loginLatencies),
        );
        const latencies = emptyLatencies();
        const before = cpuNow();
        const run = await runLanes(clients, options.seconds, sessionLane(client, items, latencies));
        const after = cpuNow();
        const clientCpu = process.cpuUsage(before.client);
        const perSession = (seconds: number) => (seconds * 1000) / run.count;
        const sessionsPerSecond = run.count / run.seconds;
        const requestsPerSecond = logins.count / logins.seconds;
        levels.push({
          clients,
          seconds: run.seconds,
          sessions: run.count,
          sessionsPerSecond,
          latencyMs: Object.fromEntries(
            SESSION_CALLS.map((call) => [call, distributionOf(latencies[call])]),
          ) as Record<SessionCall, Distribution>,
          cpuMsPerSession: {
            api: perSession(after.api - before.api),
            worker: perSession(after.worker - before.worker),
            postgres: perSession(after.postgres - before.postgres),
            client: perSession((clientCpu.user + clientCpu.system) / 1e6),
          },
          baseline: { requestsPerSecond, latencyMs: distributionOf(loginLatencies) },
          callRateRatio: (sessionsPerSecond * SESSION_CALLS.length) / requestsPerSecond,
        });
      } finally {
        await client.close();
      }
    }
    return {
      options,
      levels,
      figures: controlPlaneFigures(levels),
      latency: levels.map(latencyPanel),
    };
  });
}

/** Sessions/s at every level and the GET p99 at each; the targets apply at 8 clients. */
function controlPlaneFigures(levels: readonly LevelResult[]): Figure[] {
  return levels.flatMap((level) => {
    const atTarget = level.clients === 8;
    const label = `${level.clients} client${level.clients === 1 ? '' : 's'}`;
    return [
      {
        name: `control plane sessions/s, ${label}`,
        value: level.sessionsPerSecond,
        unit: 'sessions/s',
        baseline: `GET /api/session ${formatNumber(level.baseline.requestsPerSecond)} req/s; session calls/s ÷ that = ${formatNumber(level.callRateRatio)}`,
        ...(atTarget ? { target: { atLeast: 500 } } : {}),
      },
      {
        name: `control plane GET session p99, ${label}`,
        value: level.latencyMs.get.p99,
        unit: 'ms',
        baseline: `GET /api/session p99 ${formatNumber(level.baseline.latencyMs.p99)} ms`,
        ...(atTarget ? { target: { atMost: 20 } } : {}),
      },
    ];
  });
}

function latencyPanel(level: LevelResult): LatencyPanel {
  return {
    title: `control plane, ${level.clients} concurrent client${level.clients === 1 ? '' : 's'}: ${formatNumber(level.sessionsPerSecond)} sessions/s`,
    groups: [
      ...SESSION_CALLS.map((call) => ({ label: call, distribution: level.latencyMs[call] })),
      { label: 'baseline: login GET', distribution: level.baseline.latencyMs },
    ],
    ...(level.clients === 8 ? { target: { label: 'GET p99 target', ms: 20 } } : {}),
  };
}
