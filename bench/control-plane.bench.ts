import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { Pool } from 'pg';

import { ensureDatabase, migrate } from '@cls/database';

import { startChildServer } from './child-server';
import { SESSION_TIMEOUT_MS } from './floor-kit';
import type { Figure } from './figure';
import { formatNumber } from './figure';
import type { LatencyPanel } from './latency-chart';
import { createItem, createLibrary } from './library-api';
import type { Distribution } from './measure';
import { cpuSeconds, distributionOf, sampleTreeCpu } from './measure';
import type { Counters } from './server-activity';
import { growth, PostgresActivity, RedisActivity, totalOf, TRANSACTIONS } from './server-activity';
import type { PrivateServers } from './service-deployment';
import { withDeployment } from './service-deployment';
import type { LaneExtent, SessionCall } from './session-load';
import { emptyLatencies, runLanes, SESSION_CALLS, sessionLane } from './session-load';
import { TimedClient } from './timed-client';

export interface ControlPlaneBenchOptions {
  /** Concurrent clients of each level, each looping over whole sessions. */
  readonly levels: readonly number[];
  /** How long each level runs, against the project and then against the floor. */
  readonly seconds: number;
  /** Unmeasured sessions first, so the JIT and the pools are warm before anything counts. */
  readonly warmUpSeconds: number;
  /**
   * Items each client cycles through: a complete commits to the item's stream, so one item per
   * client would measure ever longer item streams rather than the session lifecycle.
   */
  readonly itemsPerClient: number;
  /** Sessions of each counting phase (at 1 and at 8 clients), on each side. */
  readonly countedSessions: number;
}

/** One side's timed run at one level. */
export interface SideRun {
  readonly sessions: number;
  readonly seconds: number;
  readonly sessionsPerSecond: number;
  readonly latencyMs: Record<SessionCall, Distribution>;
  /**
   * CPU each party burnt per session: the serving processes, `postgres` (every process of the
   * cluster, background ones included), `redis` and `client` (this process, which also reads the
   * services' logs).
   */
  readonly cpuMsPerSession: Readonly<Record<string, number>>;
  /** All but the client's: what a session costs the servers. */
  readonly serverCpuMsPerSession: number;
}

export interface LevelResult {
  readonly clients: number;
  readonly project: SideRun;
  readonly floor: SideRun;
  readonly sameWorkFloor: SideRun;
  /** Project ÷ floor. */
  readonly sessionsPerSecondRatio: number;
  readonly serverCpuRatio: number;
  /** Project ÷ same-work floor: what the project's code adds to the design's own work. */
  readonly sameWorkSessionsPerSecondRatio: number;
  readonly sameWorkServerCpuRatio: number;
  /** Same-work floor ÷ floor: what the design's durable work costs over the least server. */
  readonly designServerCpuRatio: number;
}

/**
 * What one session cost the servers on average, counted in a phase of its own, less what the idle
 * background adds over the same time.
 */
export interface SessionCounts {
  readonly sessions: number;
  readonly statements: number;
  /** Explicit transactions (BEGIN … COMMIT): the writes a session's calls and jobs commit. */
  readonly transactions: number;
  /** Every transaction Postgres counted, each statement outside BEGIN … COMMIT one of its own. */
  readonly allTransactions: number;
  readonly topStatements: readonly { readonly calls: number; readonly query: string }[];
}

export interface ProjectCounts extends SessionCounts {
  /** Commands clients sent (each a round trip), and commands their Lua scripts ran. */
  readonly redisCommands: number;
  readonly luaCommands: number;
  readonly topRedisCommands: readonly { readonly calls: number; readonly command: string }[];
  /** Expiry jobs the phase added to those waiting in Redis, though all its sessions are DONE. */
  readonly delayedExpiryJobs: number;
}

export interface CountingResult {
  readonly clients: number;
  readonly project: ProjectCounts;
  readonly floor: SessionCounts;
}

export interface IdleResult {
  readonly seconds: number;
  readonly statementsPerSecond: number;
  readonly transactionsPerSecond: number;
  readonly redisCommandsPerSecond: number;
  readonly luaCommandsPerSecond: number;
  readonly topStatements: readonly { readonly perSecond: number; readonly query: string }[];
}

/** Counts statements run inside functions too, so a trigger's cost is not hidden. */
const STATEMENT_TRACKING = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  'pg_stat_statements.max': '10000',
};
/** Postgres 15 backends report their transactions up to 10 s after going idle; jobs finish too. */
const SETTLE_MS = 11_000;
const IDLE_SECONDS = 10;
const COUNTING_CLIENTS = [1, 8] as const;
/** The targets apply at this many clients. */
const TARGET_CLIENTS = 8;
const TOP_STATEMENTS = 25;
const FLOOR_DATABASE = 'cls_floor';
const SAME_WORK_FLOOR_DATABASE = 'cls_same_work_floor';

/**
 * Where BullMQ keeps the expiry jobs until their deadline: the queue's prefix is the one
 * libs/jobs/src/queue-connection.ts gives it.
 */
function delayedExpiriesKey(redisPrefix: string): string {
  return `${redisPrefix}:bull:session-expiration:delayed`;
}

function clientsLabel(clients: number): string {
  return `${clients} client${clients === 1 ? '' : 's'}`;
}

/** The `count` largest counters `accept`s, largest first, leaving out those that round to zero. */
function largest(
  counters: Counters,
  accept: (key: string) => boolean,
  count: number,
): [string, number][] {
  return [...counters]
    .filter(([key, value]) => accept(key) && value >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .slice(0, count);
}

function shortQuery(text: string): string {
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

/** A server the session loop runs against: the project's deployment or one of the floors. */
interface Side {
  readonly baseUrl: string;
  readonly token: string;
  /** Its own processes by name; the cluster's, Redis's and the client's CPU are added. */
  readonly processes: Readonly<Record<string, number>>;
}

type Items = readonly (readonly string[])[];

/** Runs the session loop against `side` with `clients` lanes, timing every call if asked to. */
async function runSessions(
  side: Side,
  clients: number,
  items: Items,
  extent: LaneExtent,
  latencies?: Record<SessionCall, number[]>,
): Promise<{ count: number; seconds: number }> {
  const client = new TimedClient(side.baseUrl, clients, side.token);
  try {
    return await runLanes(clients, extent, sessionLane(client, items, latencies));
  } finally {
    await client.close();
  }
}

/** CPU seconds each party used while `work` ran. */
async function measuringCpu<T>(
  processes: Readonly<Record<string, number>>,
  servers: PrivateServers,
  work: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: Record<string, number> }> {
  const parties = Object.entries({ ...processes, redis: servers.redis.pid });
  const before = parties.map(([, pid]) => cpuSeconds(pid));
  const client = process.cpuUsage();
  const cluster = sampleTreeCpu(servers.postgres.pid);
  let postgres: number;
  let result: T;
  try {
    result = await work();
  } finally {
    postgres = cluster.stop();
  }
  const clientCpu = process.cpuUsage(client);
  return {
    result,
    cpuSeconds: {
      ...Object.fromEntries(
        parties.map(([name, pid], index) => [name, cpuSeconds(pid) - before[index]!]),
      ),
      postgres,
      client: (clientCpu.user + clientCpu.system) / 1e6,
    },
  };
}

async function timedRun(
  side: Side,
  servers: PrivateServers,
  clients: number,
  items: Items,
  seconds: number,
): Promise<SideRun> {
  const latencies = emptyLatencies();
  const { result: run, cpuSeconds: cpu } = await measuringCpu(side.processes, servers, () =>
    runSessions(side, clients, items, { seconds }, latencies),
  );
  const cpuMsPerSession = Object.fromEntries(
    Object.entries(cpu).map(([party, partySeconds]) => [party, (partySeconds * 1000) / run.count]),
  );
  return {
    sessions: run.count,
    seconds: run.seconds,
    sessionsPerSecond: run.count / run.seconds,
    latencyMs: Object.fromEntries(
      SESSION_CALLS.map((call) => [call, distributionOf(latencies[call])]),
    ) as Record<SessionCall, Distribution>,
    cpuMsPerSession,
    serverCpuMsPerSession: Object.entries(cpuMsPerSession)
      .filter(([party]) => party !== 'client')
      .reduce((total, [, ms]) => total + ms, 0),
  };
}

/** Both sides' counters and the delayed expiry jobs at one instant. */
interface Snapshot {
  readonly at: bigint;
  readonly project: Counters;
  readonly floor: Counters;
  readonly delayedExpiries: number;
}

function secondsBetween(before: Snapshot, after: Snapshot): number {
  return Number(after.at - before.at) / 1e9;
}

function scaled(counters: Counters, factor: number): Map<string, number> {
  return new Map([...counters].map(([key, value]) => [key, value * factor]));
}

/**
 * What the counters of `side` grew by per session between two snapshots, less what its idle
 * background (per second) adds over the same time: the cost the sessions caused.
 */
function perSessionOf(
  side: 'project' | 'floor',
  before: Snapshot,
  after: Snapshot,
  idlePerSecond: Counters,
  sessions: number,
): Counters {
  const background = scaled(idlePerSecond, secondsBetween(before, after));
  const net = growth(before[side], after[side]);
  return scaled(
    new Map([...net].map(([key, value]) => [key, value - (background.get(key) ?? 0)])),
    1 / sessions,
  );
}

/** The statement that opens an explicit transaction, as pg_stat_statements shows it. */
const BEGIN = /^(BEGIN|START TRANSACTION)\b/i;

function statementsOf(
  perSession: Counters,
  sessions: number,
  postgres: PostgresActivity,
): SessionCounts {
  return {
    sessions,
    statements: totalOf(perSession, 'statement '),
    transactions: [...perSession]
      .filter(([key]) => key.startsWith('statement ') && BEGIN.test(postgres.textOf(key)))
      .reduce((total, [, calls]) => total + calls, 0),
    allTransactions: perSession.get(TRANSACTIONS) ?? 0,
    topStatements: largest(perSession, (key) => key.startsWith('statement '), TOP_STATEMENTS).map(
      ([key, calls]) => ({ calls, query: shortQuery(postgres.textOf(key)) }),
    ),
  };
}

/**
 * With nothing else running, on both sides: a counting phase of `sessions` sessions at each of
 * COUNTING_CLIENTS, each followed by SETTLE_MS so every count is in, then IDLE_SECONDS without
 * clients. A phase's counts are net of the idle background over its time.
 */
async function countActivity(
  sides: { readonly project: Side; readonly floor: Side },
  servers: PrivateServers,
  deployment: { readonly database: string; readonly redisPrefix: string },
  items: readonly Items[],
  sessions: number,
): Promise<{ counting: CountingResult[]; idle: IdleResult; delayedExpiryJobsAtEnd: number }> {
  const postgres = await PostgresActivity.connect(servers.postgres.url);
  const redis = await RedisActivity.start(servers.redis.url);
  try {
    const snapshot = async (): Promise<Snapshot> => ({
      at: process.hrtime.bigint(),
      project: new Map([...(await postgres.read(deployment.database)), ...redis.read()]),
      floor: await postgres.read(FLOOR_DATABASE),
      delayedExpiries: await redis.sortedSetSize(delayedExpiriesKey(deployment.redisPrefix)),
    });
    await sleep(SETTLE_MS);
    const snapshots = [await snapshot()];
    for (const [index, clients] of COUNTING_CLIENTS.entries()) {
      for (const side of [sides.project, sides.floor])
        await runSessions(side, clients, items[index]!, { rounds: sessions });
      await sleep(SETTLE_MS);
      snapshots.push(await snapshot());
    }
    await sleep(IDLE_SECONDS * 1000);
    snapshots.push(await snapshot());

    const [idleStart, idleEnd] = snapshots.slice(-2) as [Snapshot, Snapshot];
    const idleSeconds = secondsBetween(idleStart, idleEnd);
    const idleRate = (side: 'project' | 'floor') =>
      scaled(growth(idleStart[side], idleEnd[side]), 1 / idleSeconds);
    const counting = COUNTING_CLIENTS.map((clients, index): CountingResult => {
      const [before, after] = [snapshots[index]!, snapshots[index + 1]!];
      const project = perSessionOf('project', before, after, idleRate('project'), sessions);
      const floor = perSessionOf('floor', before, after, idleRate('floor'), sessions);
      return {
        clients,
        project: {
          ...statementsOf(project, sessions, postgres),
          redisCommands: totalOf(project, 'redis '),
          luaCommands: totalOf(project, 'lua '),
          topRedisCommands: largest(
            project,
            (key) => key.startsWith('redis ') || key.startsWith('lua '),
            TOP_STATEMENTS,
          ).map(([command, calls]) => ({ calls, command })),
          delayedExpiryJobs: (after.delayedExpiries - before.delayedExpiries) / sessions,
        },
        floor: statementsOf(floor, sessions, postgres),
      };
    });
    const projectIdle = idleRate('project');
    return {
      counting,
      idle: {
        seconds: idleSeconds,
        statementsPerSecond: totalOf(projectIdle, 'statement '),
        transactionsPerSecond: projectIdle.get(TRANSACTIONS) ?? 0,
        redisCommandsPerSecond: totalOf(projectIdle, 'redis '),
        luaCommandsPerSecond: totalOf(projectIdle, 'lua '),
        topStatements: largest(projectIdle, (key) => key.startsWith('statement '), 10).map(
          ([key, perSecond]) => ({ perSecond, query: shortQuery(postgres.textOf(key)) }),
        ),
      },
      delayedExpiryJobsAtEnd: idleEnd.delayedExpiries,
    };
  } finally {
    redis.close();
    await postgres.close();
  }
}

/** A floor the bench started, as a side of the session loop. */
interface StartedFloor {
  readonly side: Side;
  /** Stops its processes if still running and removes its files. */
  close(): Promise<void>;
}

/** Starts the floor (`floor-server.ts`) on a database of its own. */
async function startFloor(servers: PrivateServers, token: string): Promise<StartedFloor> {
  const url = `${servers.postgres.url}/${FLOOR_DATABASE}`;
  await ensureDatabase(url);
  const uploads = await mkdtemp(join(tmpdir(), 'cls-floor-'));
  const server = await startChildServer('floor-server.js', [url, uploads, token]);
  return {
    side: { baseUrl: `http://127.0.0.1:${server.port}`, token, processes: { server: server.pid } },
    async close() {
      await server.stop();
      await rm(uploads, { recursive: true, force: true });
    },
  };
}

/** The same-work floor (`same-work-floor-server.ts` and its worker) on the bench's servers. */
interface SameWorkFloor extends StartedFloor {
  /** Gives the floor's database the items the project's API just created. */
  seed(libraryId: string, itemIds: readonly string[]): Promise<void>;
  /** Stops its processes: the counting phases count the project's Redis alone. */
  stopProcesses(): Promise<void>;
}

/** Starts the same-work floor on a database migrated with the project's own migrations. */
async function startSameWorkFloor(servers: PrivateServers, token: string): Promise<SameWorkFloor> {
  const url = `${servers.postgres.url}/${SAME_WORK_FLOOR_DATABASE}`;
  await migrate(url);
  const seeding = new Pool({ connectionString: url, max: 1 });
  const folders = await Promise.all(
    ['staging', 'content'].map((name) => mkdtemp(join(tmpdir(), `cls-floor-${name}-`))),
  );
  const server = await startChildServer('same-work-floor-server.js', [url, ...folders, token]);
  const worker = await startChildServer('same-work-floor-worker.js', [
    url,
    servers.redis.url,
    'same-work-floor',
    folders[1]!,
  ]);
  const stopProcesses = async (): Promise<void> => {
    await Promise.all([server.stop(), worker.stop()]);
  };
  return {
    side: {
      baseUrl: `http://127.0.0.1:${server.port}`,
      token,
      processes: { server: server.pid, worker: worker.pid },
    },
    async seed(libraryId, itemIds) {
      await seeding.query(
        `INSERT INTO library_item_view (id, library_id, name, description, content_version,
           metadata_version, version, cached, size, creation_time, last_modified_time,
           last_stream_version)
         SELECT id, $2, id::text, '', 1, 1, 1, false, 0, now(), now(), 1
           FROM unnest($1::uuid[]) AS id`,
        [itemIds, libraryId],
      );
    },
    stopProcesses,
    async close() {
      await stopProcesses();
      await seeding.end();
      await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
    },
  };
}

/**
 * Control-plane cost: clients each loop create session → add a 1 KiB PUSH file → PUT its bytes →
 * complete → GET the session, against the API and a worker on a Postgres and a Redis of their own,
 * and at the same concurrency against the floor (`floor-server.ts`, the least server giving the
 * same answers) and the same-work floor (`same-work-floor-server.ts` and its worker, the least
 * server doing the design's durable work), level by level in turn. The two floors tell what the
 * design's work costs from what the project's code adds to it. Then, with nothing else running,
 * counting phases of a fixed number of sessions at 1 and 8 clients count the statements,
 * transactions and Redis commands a session costs, and an idle phase what the deployment does
 * with no traffic.
 */
export async function benchControlPlane(
  options: ControlPlaneBenchOptions,
): Promise<Record<string, unknown>> {
  return withDeployment(
    {
      label: 'bench_control_plane',
      worker: true,
      env: {
        // The level a deployment logs at: a line per request is part of a request's cost.
        LOG_LEVEL: 'info',
        // Deadlines after the bench: a purge a timeout after each session (deferred work every
        // design has) would otherwise land in whichever phase runs then, idle or counting.
        SESSION_TIMEOUT_SECONDS: String(SESSION_TIMEOUT_MS / 1000),
      },
      privateServers: { postgresSettings: STATEMENT_TRACKING },
    },
    async (deployment) => {
      const { admin, api, env } = deployment;
      const servers = deployment.servers!;
      const token = admin.token!;
      const library = await createLibrary(admin, 'bench');
      const floor = await startFloor(servers, token);
      const sameWorkFloor = await startSameWorkFloor(servers, token).catch(async (error) => {
        await floor.close();
        throw error;
      });
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
        await sameWorkFloor.seed(library, items.flat());
        return items;
      };

      try {
        const project: Side = {
          baseUrl: api.baseUrl,
          token,
          processes: { api: api.pid!, worker: deployment.worker!.pid! },
        };
        const sides = [project, floor.side, sameWorkFloor.side] as const;
        const warmUpItems = await itemsFor(8);
        for (const side of sides)
          await runSessions(side, 8, warmUpItems, { seconds: options.warmUpSeconds });

        const levels: LevelResult[] = [];
        for (const clients of options.levels) {
          const items = await itemsFor(clients);
          const runs: SideRun[] = [];
          for (const side of sides)
            runs.push(await timedRun(side, servers, clients, items, options.seconds));
          levels.push(levelResult(clients, runs as [SideRun, SideRun, SideRun]));
        }
        await sameWorkFloor.stopProcesses();

        // Counting comes after the timed levels: MONITOR slows Redis down.
        const countingItems: Items[] = [];
        for (const clients of COUNTING_CLIENTS) countingItems.push(await itemsFor(clients));
        const activity = await countActivity(
          { project, floor: floor.side },
          servers,
          { database: deployment.database.name, redisPrefix: env.REDIS_PREFIX! },
          countingItems,
          options.countedSessions,
        );
        return {
          options,
          levels,
          ...activity,
          figures: controlPlaneFigures(levels, activity.counting, activity.idle),
          latency: levels.map(latencyPanel),
        };
      } finally {
        await Promise.all([floor.close(), sameWorkFloor.close()]);
      }
    },
  );
}

function levelResult(
  clients: number,
  [project, floor, sameWorkFloor]: readonly [SideRun, SideRun, SideRun],
): LevelResult {
  return {
    clients,
    project,
    floor,
    sameWorkFloor,
    sessionsPerSecondRatio: project.sessionsPerSecond / floor.sessionsPerSecond,
    serverCpuRatio: project.serverCpuMsPerSession / floor.serverCpuMsPerSession,
    sameWorkSessionsPerSecondRatio: project.sessionsPerSecond / sameWorkFloor.sessionsPerSecond,
    sameWorkServerCpuRatio: project.serverCpuMsPerSession / sameWorkFloor.serverCpuMsPerSession,
    designServerCpuRatio: sameWorkFloor.serverCpuMsPerSession / floor.serverCpuMsPerSession,
  };
}

function serverCpuText(run: SideRun): string {
  const parts = Object.entries(run.cpuMsPerSession)
    .filter(([party]) => party !== 'client')
    .map(([party, ms]) => `${party} ${formatNumber(ms)}`);
  return `${parts.join(' + ')} = ${formatNumber(run.serverCpuMsPerSession)} ms`;
}

/**
 * Per level: sessions/s, its ratio to the floor's, server CPU per session against the floor's and
 * the GET p99; from the counting phase at 8 clients: statements, transactions and Redis commands
 * per session and the expiry jobs left behind; the idle statements/s. Targets apply at 8 clients.
 */
function controlPlaneFigures(
  levels: readonly LevelResult[],
  counting: readonly CountingResult[],
  idle: IdleResult,
): Figure[] {
  const levelFigures = levels.flatMap((level): Figure[] => {
    const atTarget = level.clients === TARGET_CLIENTS;
    const label = clientsLabel(level.clients);
    return [
      {
        name: `control plane sessions/s, ${label}`,
        value: level.project.sessionsPerSecond,
        unit: 'sessions/s',
        baseline: `floor ${formatNumber(level.floor.sessionsPerSecond)} sessions/s`,
        ...(atTarget ? { target: { atLeast: 200 } } : {}),
      },
      {
        name: `control plane ÷ floor sessions/s, ${label}`,
        value: level.sessionsPerSecondRatio,
        unit: '×',
        ...(atTarget ? { target: { atLeast: 0.6 } } : {}),
      },
      {
        name: `control plane ÷ floor server CPU per session, ${label}`,
        value: level.serverCpuRatio,
        unit: '×',
        baseline: `${serverCpuText(level.project)} against floor ${serverCpuText(level.floor)}`,
        ...(atTarget ? { target: { atMost: 1.7 } } : {}),
      },
      {
        name: `control plane ÷ same-work floor server CPU per session, ${label}`,
        value: level.sameWorkServerCpuRatio,
        unit: '×',
        baseline: `same-work floor ${serverCpuText(level.sameWorkFloor)}, ${formatNumber(level.sameWorkFloor.sessionsPerSecond)} sessions/s (project ÷ it ${formatNumber(level.sameWorkSessionsPerSecondRatio)} ×)`,
      },
      {
        name: `same-work floor ÷ floor server CPU per session, ${label}`,
        value: level.designServerCpuRatio,
        unit: '×',
        baseline: 'what the durable work costs over the least server',
      },
      {
        name: `control plane GET session p99, ${label}`,
        value: level.project.latencyMs.get.p99,
        unit: 'ms',
        baseline: `floor GET p99 ${formatNumber(level.floor.latencyMs.get.p99)} ms`,
        ...(atTarget ? { target: { atMost: 20 } } : {}),
      },
    ];
  });
  const atTarget = counting.find((phase) => phase.clients === TARGET_CLIENTS)!;
  const others = counting.filter((phase) => phase !== atTarget);
  /** The same count at the other client counts, for the baseline column. */
  /** The baseline column: `first`, then the same count at the other client counts. */
  const baseline = (first: string | undefined, text: (phase: CountingResult) => string) =>
    [
      ...(first === undefined ? [] : [first]),
      ...others.map((phase) => `at ${clientsLabel(phase.clients)}: ${text(phase)}`),
    ].join('; ');
  const label = `${clientsLabel(TARGET_CLIENTS)}, ${atTarget.project.sessions} sessions`;
  return [
    ...levelFigures,
    {
      name: `control plane SQL statements per session, ${label}`,
      value: atTarget.project.statements,
      unit: 'statements',
      baseline: baseline(
        `floor ${formatNumber(atTarget.floor.statements)}`,
        (phase) =>
          `${formatNumber(phase.project.statements)} (floor ${formatNumber(phase.floor.statements)})`,
      ),
      target: { atMost: 25 },
    },
    {
      name: `control plane transactions (BEGIN … COMMIT) per session, ${label}`,
      value: atTarget.project.transactions,
      unit: 'transactions',
      baseline: baseline(
        `floor ${formatNumber(atTarget.floor.transactions)}; all Postgres transactions (one per statement outside BEGIN) ${formatNumber(atTarget.project.allTransactions)} (floor ${formatNumber(atTarget.floor.allTransactions)})`,
        (phase) =>
          `${formatNumber(phase.project.transactions)} (floor ${formatNumber(phase.floor.transactions)})`,
      ),
      target: { atMost: 4 },
    },
    {
      name: `control plane Redis commands per session (top-level), ${label}`,
      value: atTarget.project.redisCommands,
      unit: 'commands',
      baseline: baseline(
        `and ${formatNumber(atTarget.project.luaCommands)} inside Lua scripts`,
        (phase) =>
          `${formatNumber(phase.project.redisCommands)} and ${formatNumber(phase.project.luaCommands)}`,
      ),
      target: { atMost: 8 },
    },
    {
      name: `control plane delayed expiry jobs left per DONE session, ${label}`,
      value: atTarget.project.delayedExpiryJobs,
      unit: 'jobs',
      baseline: baseline(undefined, (phase) => formatNumber(phase.project.delayedExpiryJobs)),
      target: { atMost: 1 },
    },
    {
      name: `control plane idle SQL statements/s (${formatNumber(idle.seconds)} s, no clients)`,
      value: idle.statementsPerSecond,
      unit: 'statements/s',
      baseline: `${formatNumber(idle.transactionsPerSecond)} transactions/s; Redis ${formatNumber(idle.redisCommandsPerSecond)} commands/s and ${formatNumber(idle.luaCommandsPerSecond)} in Lua`,
      target: { atMost: 2 },
    },
  ];
}

function latencyPanel(level: LevelResult): LatencyPanel {
  return {
    title: `control plane, ${clientsLabel(level.clients)}: ${formatNumber(level.project.sessionsPerSecond)} sessions/s (floor ${formatNumber(level.floor.sessionsPerSecond)})`,
    groups: [
      ...SESSION_CALLS.map((call) => ({
        label: call,
        distribution: level.project.latencyMs[call],
      })),
      ...SESSION_CALLS.map((call) => ({
        label: `floor ${call}`,
        distribution: level.floor.latencyMs[call],
      })),
    ],
    ...(level.clients === TARGET_CLIENTS ? { target: { label: 'GET p99 target', ms: 20 } } : {}),
  };
}
