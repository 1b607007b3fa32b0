import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { benchControlPlane } from './control-plane.bench';
import { benchDownload } from './download.bench';
import { benchExpiry } from './expiry.bench';
import { latencyChartSvg } from './latency-chart';
import { elapsedMs } from './measure';
import { benchPull } from './pull.bench';
import type { BenchOutcome } from './summary';
import { currentLoad, latencyPanelsOf, suitePassed, summaryMarkdown } from './summary';
import { benchRebuild } from './rebuild.bench';
import { benchUpload } from './upload.bench';

/**
 * What `npm run bench` runs without names, in this order (pull has its own name). A name no bench
 * is registered under fails in the summary while the others still run.
 */
const SUITE = ['upload', 'download', 'control-plane', 'rebuild', 'expiry'];

/**
 * A size from the environment, else its default: the suite's defaults are smaller, so the whole
 * suite fits in 15 minutes on a 2-core machine; a bench run by name gets the full size.
 */
function setting(name: string, alone: number, inSuite: number, suite: boolean): number {
  const value = process.env[name];
  return value === undefined || value === '' ? (suite ? inSuite : alone) : Number(value);
}

/**
 * `npm run bench -- [name...]`: runs the named benchmarks (the suite by default), prints their
 * figures and writes bench/results/<name>.json, summary.md and latency.svg. Sizes come from the
 * environment (see the README): BENCH_UPLOAD_MIB, BENCH_DOWNLOAD_MIB, BENCH_PULL_MIB, BENCH_ROUNDS,
 * BENCH_CONTROL_SECONDS, BENCH_CONTROL_CLIENTS, BENCH_CONTROL_SESSIONS, BENCH_EXPIRY_SESSIONS,
 * BENCH_EXPIRY_TIMEOUT, BENCH_REBUILD_EVENTS.
 */
function benches(suite: boolean): Record<string, () => Promise<Record<string, unknown>>> {
  const rounds = setting('BENCH_ROUNDS', 5, 5, suite);
  return {
    upload: () => benchUpload({ sizeMiB: setting('BENCH_UPLOAD_MIB', 1024, 1024, suite), rounds }),
    download: () =>
      benchDownload({ sizeMiB: setting('BENCH_DOWNLOAD_MIB', 1024, 1024, suite), rounds }),
    pull: () => benchPull({ sizeMiB: setting('BENCH_PULL_MIB', 1024, 1024, suite), rounds }),
    'control-plane': () =>
      benchControlPlane({
        levels: (process.env.BENCH_CONTROL_CLIENTS ?? '1,8,32').split(',').map(Number),
        seconds: setting('BENCH_CONTROL_SECONDS', 30, 15, suite),
        warmUpSeconds: 5,
        itemsPerClient: 8,
        countedSessions: setting('BENCH_CONTROL_SESSIONS', 200, 200, suite),
      }),
    expiry: () =>
      benchExpiry({
        sessions: setting('BENCH_EXPIRY_SESSIONS', 10_000, 10_000, suite),
        // Long enough that expiries start after the sessions are created: the figure is the expiry
        // machinery's lateness, not how a 2-core machine saturated by creating sessions at full
        // speed queues everything else (a shorter BENCH_EXPIRY_TIMEOUT shows that; see the README).
        timeoutSeconds: setting('BENCH_EXPIRY_TIMEOUT', 150, 150, suite),
        concurrency: 16,
      }),
    rebuild: () =>
      benchRebuild({ events: setting('BENCH_REBUILD_EVENTS', 1_000_000, 1_000_000, suite) }),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function runOne(
  name: string,
  bench: (() => Promise<Record<string, unknown>>) | undefined,
  known: readonly string[],
  directory: string,
): Promise<BenchOutcome> {
  process.stdout.write(`\n== ${name} ==\n`);
  const started = process.hrtime.bigint();
  const seconds = () => elapsedMs(started) / 1000;
  const file = join(directory, `${name}.json`);
  if (!bench) {
    const error = `no benchmark is registered as ${name} in this build; known: ${known.join(', ')}`;
    process.stderr.write(`${error}\n`);
    return { name, error, seconds: 0 };
  }
  try {
    const result = await bench();
    process.stdout.write(
      `${JSON.stringify(result, (_key, value: unknown) => (typeof value === 'number' ? Math.round(value * 100) / 100 : value), 2)}\n`,
    );
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    return { name, result, seconds: seconds() };
  } catch (error) {
    process.stderr.write(`${name} failed: ${errorText(error)}\n`);
    // A figure from an earlier run must not pass for this one's.
    rmSync(file, { force: true });
    return {
      name,
      error: error instanceof Error ? error.message : String(error),
      seconds: seconds(),
    };
  }
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const suite = names.length === 0;
  const registry = benches(suite);
  const directory = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const startedAt = new Date();
  const loadAtStart = currentLoad();
  const outcomes: BenchOutcome[] = [];
  for (const name of suite ? SUITE : names) {
    outcomes.push(await runOne(name, registry[name], Object.keys(registry), directory));
  }
  const summary = summaryMarkdown(outcomes, {
    startedAt,
    finishedAt: new Date(),
    loadAtStart,
    loadAtEnd: currentLoad(),
  });
  writeFileSync(join(directory, 'summary.md'), summary);
  const panels = latencyPanelsOf(outcomes);
  if (panels.length > 0) writeFileSync(join(directory, 'latency.svg'), latencyChartSvg(panels));
  process.stdout.write(`\n${summary}`);
  if (!outcomes.every((outcome) => 'result' in outcome)) process.exitCode = 1;
  else if (!suitePassed(outcomes)) process.stdout.write('\nSome figures miss their targets.\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${errorText(error)}\n`);
  process.exitCode = 1;
});
