import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

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

/** CPU time (user + system, all threads) a process has used so far, in seconds, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by the Postgres backends serving `database` on this host (Linux): the
 * part of a request's cost no Node process shows. Backends are found by their process title.
 */
export function postgresCpuSeconds(database: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.includes(` ${database} `))
        total += cpuSeconds(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return total;
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
 * `rounds` runs of `first` and `second` each, the page cache flushed before every run and the
 * order alternating, so drift in the machine's state favours neither side.
 */
export async function alternateRounds<A, B>(
  rounds: number,
  first: () => Promise<A>,
  second: () => Promise<B>,
): Promise<{ first: A[]; second: B[] }> {
  const results = { first: [] as A[], second: [] as B[] };
  for (let round = 0; round < rounds; round += 1) {
    for (const side of round % 2 === 0 ? ['first', 'second'] : ['second', 'first']) {
      flushDirtyPages();
      if (side === 'first') results.first.push(await first());
      else results.second.push(await second());
    }
  }
  return results;
}
