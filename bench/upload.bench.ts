import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { loadConfig } from '@cls/config';

import { startChildServer } from './child-server';
import { formatSize, transferFigures } from './figure';
import { createItem, createLibrary } from './library-api';
import type { Round } from './measure';
import { alternateRounds, measureRound, median, MiB } from './measure';
import { pushRound } from './push-round';
import { put, sha256OfRepeated } from './repeated-bytes';
import { withDeployment } from './service-deployment';

/** Size of the unmeasured first upload to each server. */
const WARM_UP_MIB = 64;

export interface UploadBenchOptions {
  readonly sizeMiB: number;
  readonly rounds: number;
}

/**
 * Upload throughput of the real endpoint (`/cls/data`, SHA-1 + requested SHA-256, staged to disk)
 * against a minimal node:http server doing the same work, alternating rounds in one run so both
 * see the same machine noise. Reports MiB/s, their ratio and the API's peak RSS growth.
 */
export async function benchUpload(options: UploadBenchOptions): Promise<Record<string, unknown>> {
  const chunk = randomBytes(MiB);
  const checksum = sha256OfRepeated(chunk, options.sizeMiB);

  return withDeployment({ label: 'bench_upload', worker: false }, async (deployment) => {
    const { admin, api, env, storageRoot } = deployment;
    const baseline = await startChildServer('raw-upload-server.js', [storageRoot]);
    try {
      const itemId = await createItem(admin, await createLibrary(admin, 'bench'), 'bench.iso');
      const uploadToBaseline = async (sizeMiB: number): Promise<Round> => {
        const round = await measureRound(baseline.pid, sizeMiB, () =>
          put(`http://127.0.0.1:${baseline.port}/upload`, chunk, sizeMiB),
        );
        await rm(join(storageRoot, 'baseline-upload'), { force: true });
        return round;
      };
      const uploadToService = (sizeMiB: number, sha256Hex?: string): Promise<Round> =>
        pushRound(admin, api.pid!, itemId, chunk, sizeMiB, sha256Hex);

      // Warm both servers up (JIT, hashing threads) before anything is measured.
      await uploadToBaseline(WARM_UP_MIB);
      await uploadToService(WARM_UP_MIB);
      const { first: raw, second: service } = await alternateRounds(
        options.rounds,
        () => uploadToBaseline(options.sizeMiB),
        () => uploadToService(options.sizeMiB, checksum),
      );
      const pairedRatios = service.map(
        (round, index) => round.mibPerSecond / raw[index]!.mibPerSecond,
      );
      const medians = {
        serviceMiBPerSecond: median(service.map((round) => round.mibPerSecond)),
        baselineMiBPerSecond: median(raw.map((round) => round.mibPerSecond)),
        // The median of per-round ratios: each pair ran back to back, so it shares the machine's mood.
        ratio: median(pairedRatios),
        peakRssGrowthMiB: Math.max(...service.map((round) => round.rssGrowthMiB)),
      };
      return {
        sizeMiB: options.sizeMiB,
        rounds: options.rounds,
        hashThreads: loadConfig({ ...process.env, ...env }).hashThreads,
        service: { mibPerSecond: medians.serviceMiBPerSecond, rounds: service },
        baseline: { mibPerSecond: medians.baselineMiBPerSecond, rounds: raw },
        ratio: medians.ratio,
        pairedRatios,
        peakRssGrowthMiB: medians.peakRssGrowthMiB,
        figures: transferFigures(
          `upload (${formatSize(options.sizeMiB)} PUT)`,
          'raw node:http',
          medians,
        ),
      };
    } finally {
      await baseline.stop();
    }
  });
}
