import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { HttpClient } from '@cls/testing';
import { eventually } from '@cls/testing';

import type { ChildServer } from './child-server';
import { startChildServer } from './child-server';
import type { Figure } from './figure';
import { formatNumber, formatSize } from './figure';
import {
  addFile,
  cancelSession,
  createItem,
  createLibrary,
  createSession,
  getFile,
} from './library-api';
import type { Round } from './measure';
import { alternateRounds, elapsedMs, measureRound, median, MiB } from './measure';
import { pushRound } from './push-round';
import { sha256OfRepeated } from './repeated-bytes';
import { withDeployment } from './service-deployment';

/** Size of the unmeasured first transfer each way. */
const WARM_UP_MIB = 64;
/** How often the bench asks for the pulled file's status; bounds the timing error of a round. */
const POLL_MS = 20;
/** How often it asks while the source is still sending (see `untilReady`). */
const SLOW_POLL_MS = 500;

export interface PullBenchOptions {
  readonly sizeMiB: number;
  readonly rounds: number;
}

/** Where a pull's time went, from the source server's view of the request (epoch ms). */
interface PullPhases {
  /** From the add-file call until the worker's GET reached the source: relay and job pickup. */
  readonly pickupMs: number;
  /** From that GET until the source's last byte left. */
  readonly transferMs: number;
  /** From the last byte until the bench saw READY: hashing tail, events, polling. */
  readonly settleMs: number;
}

type PullRound = Round & PullPhases;

/**
 * Polls until the file is READY; an ERROR (bad checksum, refused source) fails the bench. READY
 * cannot come before the source has sent its last byte, so until then the file is asked for only
 * rarely, to notice an ERROR: polling every POLL_MS throughout cost the API (and so the pull, on a
 * two-core machine) about 1 CPU s/GiB, 15-20 % of the pull's speed.
 */
async function untilReady(
  admin: HttpClient,
  session: string,
  sourceDone: () => boolean,
  timeoutMs: number,
): Promise<void> {
  let askedAt = 0;
  const status = await eventually(
    async () => {
      if (!sourceDone() && Date.now() - askedAt < SLOW_POLL_MS) return 'SENDING';
      askedAt = Date.now();
      return await getFile(admin, session, 'bench.iso');
    },
    (file) => file !== 'SENDING' && (file.status === 'READY' || file.status === 'ERROR'),
    { timeoutMs, intervalMs: POLL_MS, what: 'pulled file READY' },
  );
  if (status !== 'SENDING' && status.status === 'ERROR')
    throw new Error(`pull failed: ${status.error_message?.default_message ?? 'no message'}`);
}

/** The source's record of the request just served (it prints one line per request). */
async function lastServed(source: ChildServer, seen: number): Promise<[number, number]> {
  await eventually(
    () => source.lines.length,
    (count) => count > seen,
    { timeoutMs: 5_000, intervalMs: 5, what: 'source request record' },
  );
  const [, arrived, finished] = source.lines.at(-1)!.split(' ').map(Number);
  return [arrived!, finished!];
}

/**
 * PULL throughput of the worker (http source over loopback, SHA-1 + requested SHA-256, staged to
 * disk) against PUSH of the same bytes to the API, alternating rounds in one run so both see the
 * same machine noise. A pull is timed from the add-file call until the file is READY, so job
 * pickup and settling count against it; a push from the first byte until the PUT's 200.
 */
export async function benchPull(options: PullBenchOptions): Promise<Record<string, unknown>> {
  const chunk = randomBytes(MiB);
  const checksums = new Map(
    [WARM_UP_MIB, options.sizeMiB].map((sizeMiB) => [sizeMiB, sha256OfRepeated(chunk, sizeMiB)]),
  );
  const checksumInfo = (sizeMiB: number) => ({
    algorithm: 'SHA256',
    checksum: checksums.get(sizeMiB)!,
  });

  return withDeployment(
    { label: 'bench_pull', worker: true, env: { PULL_ALLOWED_NETWORKS: '127.0.0.0/8' } },
    async ({ admin, api, worker, storageRoot }) => {
      const chunkPath = join(storageRoot, 'bench-source.chunk');
      writeFileSync(chunkPath, chunk);
      const source = await startChildServer('pull-source-server.js', [chunkPath]);
      try {
        const itemId = await createItem(admin, await createLibrary(admin, 'bench'), 'bench.iso');

        const pullOnce = async (sizeMiB: number): Promise<PullRound> => {
          const session = await createSession(admin, itemId);
          const seen = source.lines.length;
          let addedAt = 0;
          let readyAt = 0;
          const round = await measureRound(worker!.pid!, sizeMiB, async () => {
            const started = process.hrtime.bigint();
            addedAt = Date.now();
            await addFile(admin, session, {
              name: 'bench.iso',
              source_type: 'PULL',
              size: sizeMiB * MiB,
              checksum_info: checksumInfo(sizeMiB),
              source_endpoint: { uri: `http://127.0.0.1:${source.port}/bench.bin?mib=${sizeMiB}` },
            });
            // A generous deadline: 5 MiB/s would be a failure of its own, not a hang.
            await untilReady(
              admin,
              session,
              () => source.lines.length > seen,
              60_000 + (sizeMiB / 5) * 1000,
            );
            readyAt = Date.now();
            return elapsedMs(started);
          });
          const [arrived, finished] = await lastServed(source, seen);
          await cancelSession(admin, session);
          return {
            ...round,
            pickupMs: arrived - addedAt,
            transferMs: finished - arrived,
            settleMs: readyAt - finished,
          };
        };

        const pushOnce = (sizeMiB: number): Promise<Round> =>
          pushRound(admin, api.pid!, itemId, chunk, sizeMiB, checksumInfo(sizeMiB).checksum);

        // Warm both paths up (JIT, hashing threads, the worker's queue connections) unmeasured.
        await pushOnce(WARM_UP_MIB);
        await pullOnce(WARM_UP_MIB);
        const { first: pulls, second: pushes } = await alternateRounds(
          options.rounds,
          () => pullOnce(options.sizeMiB),
          () => pushOnce(options.sizeMiB),
        );
        const pairedRatios = pulls.map(
          (round, index) => round.mibPerSecond / pushes[index]!.mibPerSecond,
        );
        const medianOf = <T>(rounds: readonly T[], pick: (round: T) => number) =>
          median(rounds.map(pick));
        return {
          sizeMiB: options.sizeMiB,
          rounds: options.rounds,
          pollMs: POLL_MS,
          pull: {
            mibPerSecond: medianOf(pulls, (round) => round.mibPerSecond),
            // The worker's cost: it fetches, hashes and stages the bytes.
            workerCpuSecondsPerGiB: medianOf(pulls, (round) => round.cpuSecondsPerGiB),
            workerPeakRssGrowthMiB: Math.max(...pulls.map((round) => round.rssGrowthMiB)),
            pickupMs: medianOf(pulls, (round) => round.pickupMs),
            transferMs: medianOf(pulls, (round) => round.transferMs),
            settleMs: medianOf(pulls, (round) => round.settleMs),
            rounds: pulls,
          },
          push: {
            mibPerSecond: medianOf(pushes, (round) => round.mibPerSecond),
            apiCpuSecondsPerGiB: medianOf(pushes, (round) => round.cpuSecondsPerGiB),
            apiPeakRssGrowthMiB: Math.max(...pushes.map((round) => round.rssGrowthMiB)),
            rounds: pushes,
          },
          // Each pair ran back to back, so it shares the machine's mood.
          ratio: median(pairedRatios),
          pairedRatios,
          figures: [
            {
              name: `pull (${formatSize(options.sizeMiB)} over http)`,
              value: medianOf(pulls, (round) => round.mibPerSecond),
              unit: 'MiB/s',
              baseline: `PUSH of the same bytes ${formatNumber(medianOf(pushes, (round) => round.mibPerSecond))} MiB/s`,
            },
            {
              name: 'pull ÷ PUSH (median of paired rounds)',
              value: median(pairedRatios),
              unit: '×',
              target: { atLeast: 0.9 },
            },
          ] satisfies Figure[],
        };
      } finally {
        await source.stop();
      }
    },
  );
}
