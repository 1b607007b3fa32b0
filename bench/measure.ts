import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Resident set size of a process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

/** Samples a process's RSS every few milliseconds until stopped; reports the peak. */
export function samplePeakRss(pid: number, intervalMs = 50): { stop(): number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // the process ended
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Fields of /proc/<pid>/stat after the parenthesised command name: field N is at index N − 3. */
function statFields(pid: number): string[] {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
}

/** utime + stime of a process's stat fields, in seconds. */
function cpuOfStat(fields: readonly string[]): number {
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** CPU time (user + system, all threads) a process has used so far, in seconds, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  return cpuOfStat(statFields(pid));
}

/**
 * Samples the CPU of a process and all its children (a Postgres cluster: the postmaster, every
 * backend, the checkpointer, WAL writer and autovacuum) every `intervalMs` until stopped, and
 * reports the CPU seconds they used in between. A process's last sample counts after it exits, so
 * backends that come and go within the window are not lost; one seen only after the start counts
 * from zero. Processes are told apart by pid and start time, as pids get reused.
 */
export function sampleTreeCpu(rootPid: number, intervalMs = 200): { stop(): number } {
  const seen = new Map<string, { first: number; last: number }>();
  const childrenOfRoot = (): number[] => {
    try {
      const children = readFileSync(`/proc/${rootPid}/task/${rootPid}/children`, 'utf8');
      return children.split(' ').filter(Boolean).map(Number);
    } catch {
      return []; // the root ended: what was seen so far is all there is
    }
  };
  const sample = (atStart: boolean): void => {
    for (const pid of [rootPid, ...childrenOfRoot()]) {
      try {
        const fields = statFields(pid);
        const cpu = cpuOfStat(fields);
        // Field 22, the start time: a reused pid is another process.
        const key = `${pid}@${fields[19]}`;
        const entry = seen.get(key);
        if (entry) entry.last = cpu;
        else seen.set(key, { first: atStart ? cpu : 0, last: cpu });
      } catch {
        // the process ended while we looked
      }
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      return [...seen.values()].reduce((total, { first, last }) => total + last - first, 0);
    },
  };
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

export const MiB = 1024 * 1024;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile (`p` in 0..100) of an already sorted list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

export interface Distribution {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Count, extremes and nearest-rank percentiles of a set of samples (in any order). */
export function distributionOf(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** One timed transfer and what it cost the process that did the work. */
export interface Round {
  readonly mibPerSecond: number;
  readonly rssGrowthMiB: number;
  /** CPU (all threads) per GiB moved: what the throughput costs the host. */
  readonly cpuSecondsPerGiB: number;
}

/**
 * Runs one transfer of `sizeMiB` MiB (`run` resolves with its elapsed milliseconds) while watching
 * process `pid`: its peak RSS above the starting point and the CPU it burnt.
 */
export async function measureRound(
  pid: number,
  sizeMiB: number,
  run: () => Promise<number>,
): Promise<Round> {
  const before = rssBytes(pid);
  const cpuBefore = cpuSeconds(pid);
  const sampler = samplePeakRss(pid);
  let ms: number;
  let peak: number;
  try {
    ms = await run();
  } finally {
    // Also on failure: a live sampler timer would keep the bench process from exiting.
    peak = sampler.stop();
  }
  return {
    mibPerSecond: sizeMiB / (ms / 1000),
    rssGrowthMiB: (peak - before) / MiB,
    cpuSecondsPerGiB: ((cpuSeconds(pid) - cpuBefore) * 1024) / sizeMiB,
  };
}

/** Milliseconds since `started` (a `process.hrtime.bigint()` reading). */
export function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Starts every round with the page cache clean, so no round pays for the previous one's writes. */
export function flushDirtyPages(): void {
  execFileSync('sync');
}

/**
 * `rounds` runs of every side, the page cache flushed before every run and the order reversed
 * every other round, so drift in the machine's state favours none; sides listed next to each other
 * run back to back in every round. Resolves with each side's results, by name, in round order.
 */
export async function alternateSides<R extends Record<string, unknown>>(
  rounds: number,
  sides: { readonly [Side in keyof R]: () => Promise<R[Side]> },
): Promise<{ [Side in keyof R]: R[Side][] }> {
  const names = Object.keys(sides) as (keyof R)[];
  const results = Object.fromEntries(names.map((name) => [name, []])) as unknown as {
    [Side in keyof R]: R[Side][];
  };
  for (let round = 0; round < rounds; round += 1) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      flushDirtyPages();
      results[name].push(await sides[name]());
    }
  }
  return results;
}

/** `alternateSides` of two sides. */
export function alternateRounds<A, B>(
  rounds: number,
  first: () => Promise<A>,
  second: () => Promise<B>,
): Promise<{ first: A[]; second: B[] }> {
  return alternateSides(rounds, { first, second });
}
