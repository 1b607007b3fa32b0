import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { loadConfig } from '@cls/config';

import { startChildServer } from './child-server';
import type { TransferMedians } from './figure';
import { formatSize, ratioFigure, transferFigures } from './figure';
import { createItem, createLibrary } from './library-api';
import type { Round } from './measure';
import { alternateSides, measureRound, median, MiB } from './measure';
import { pushRound } from './push-round';
import { put, sha256OfRepeated } from './repeated-bytes';
import { withDeployment } from './service-deployment';

/** Size of the unmeasured first upload to each server. */
const WARM_UP_MIB = 64;
/**
 * Go's net/http sends a body of known length with a Content-Length, copied through io.Copy's
 * 32 KiB buffer: one blocking write per buffer. Above the socket's 16 KiB high-water mark, each
 * such write waits for 'drain' before the next, so node:http keeps one write in flight too.
 */
const GO_WRITE_BYTES = 32 * 1024;
/** The floor: what a client reaches when the server only writes the bytes to disk. */
const FLOOR = 'raw node:http without digests';
/** Hashing must not cost the client throughput. */
const FLOOR_RATIO_TARGET = 0.85;

export interface UploadBenchOptions {
  readonly sizeMiB: number;
  readonly rounds: number;
}

/** A service's rounds against a baseline's, paired by index; the ratio figures read the median. */
function compare(
  service: readonly Round[],
  baseline: readonly Round[],
): TransferMedians & { readonly pairedRatios: number[] } {
  const pairedRatios = service.map(
    (round, index) => round.mibPerSecond / baseline[index]!.mibPerSecond,
  );
  return {
    serviceMiBPerSecond: median(service.map((round) => round.mibPerSecond)),
    baselineMiBPerSecond: median(baseline.map((round) => round.mibPerSecond)),
    // The median of per-round ratios: each pair ran back to back, so it shares the machine's mood.
    ratio: median(pairedRatios),
    peakRssGrowthMiB: Math.max(...service.map((round) => round.rssGrowthMiB)),
    pairedRatios,
  };
}

/**
 * Upload throughput of the real endpoint (`/cls/data`, SHA-1 + requested SHA-256, staged to disk)
 * against a minimal node:http server doing the same work, and against the same server only writing
 * the bytes (the floor), alternating rounds in one run so all see the same machine noise. Two
 * clients: curl-like (1 MiB writes) against both, and Go-like (32 KiB writes) against the floor.
 * Reports MiB/s, their ratios and the API's peak RSS growth.
 */
export async function benchUpload(options: UploadBenchOptions): Promise<Record<string, unknown>> {
  const chunk = randomBytes(MiB);
  const checksum = sha256OfRepeated(chunk, options.sizeMiB);

  return withDeployment({ label: 'bench_upload', worker: false }, async (deployment) => {
    const { admin, api, env, storageRoot } = deployment;
    const rawServer = await startChildServer('raw-upload-server.js', [storageRoot]);
    try {
      const itemId = await createItem(admin, await createLibrary(admin, 'bench'), 'bench.iso');
      const uploadToRaw = async (
        path: '/upload' | '/upload-without-digests',
        sizeMiB: number,
        writeBytes: number,
      ): Promise<Round> => {
        const round = await measureRound(rawServer.pid, sizeMiB, () =>
          put(`http://127.0.0.1:${rawServer.port}${path}`, chunk, sizeMiB, writeBytes),
        );
        await rm(join(storageRoot, 'baseline-upload'), { force: true });
        return round;
      };
      const uploadToService = (sizeMiB: number, writeBytes: number, sha256Hex?: string) =>
        pushRound(admin, api.pid!, itemId, chunk, sizeMiB, sha256Hex, writeBytes);
      // Listed so that each compared pair runs back to back.
      const sides = (sizeMiB: number, sha256Hex?: string) => ({
        raw: () => uploadToRaw('/upload', sizeMiB, MiB),
        service: () => uploadToService(sizeMiB, MiB, sha256Hex),
        floor: () => uploadToRaw('/upload-without-digests', sizeMiB, MiB),
        goFloor: () => uploadToRaw('/upload-without-digests', sizeMiB, GO_WRITE_BYTES),
        goService: () => uploadToService(sizeMiB, GO_WRITE_BYTES, sha256Hex),
      });

      // Warm every side up (JIT, hashing threads) before anything is measured.
      for (const warmUp of Object.values(sides(WARM_UP_MIB))) await warmUp();
      const rounds = await alternateSides(options.rounds, sides(options.sizeMiB, checksum));
      const curlLike = compare(rounds.service, rounds.raw);
      const curlLikeToFloor = compare(rounds.service, rounds.floor);
      const goLike = compare(rounds.goService, rounds.goFloor);
      const size = formatSize(options.sizeMiB);
      const what = `upload (${size} PUT)`;
      return {
        sizeMiB: options.sizeMiB,
        rounds: options.rounds,
        hashThreads: loadConfig({ ...process.env, ...env }).hashThreads,
        service: { mibPerSecond: curlLike.serviceMiBPerSecond, rounds: rounds.service },
        baseline: { mibPerSecond: curlLike.baselineMiBPerSecond, rounds: rounds.raw },
        ratio: curlLike.ratio,
        pairedRatios: curlLike.pairedRatios,
        peakRssGrowthMiB: curlLike.peakRssGrowthMiB,
        floor: {
          mibPerSecond: curlLikeToFloor.baselineMiBPerSecond,
          rounds: rounds.floor,
          ratio: curlLikeToFloor.ratio,
          pairedRatios: curlLikeToFloor.pairedRatios,
        },
        goLike: {
          writeBytes: GO_WRITE_BYTES,
          service: { mibPerSecond: goLike.serviceMiBPerSecond, rounds: rounds.goService },
          floor: { mibPerSecond: goLike.baselineMiBPerSecond, rounds: rounds.goFloor },
          ratio: goLike.ratio,
          pairedRatios: goLike.pairedRatios,
          peakRssGrowthMiB: goLike.peakRssGrowthMiB,
        },
        figures: [
          ...transferFigures(what, 'raw node:http', curlLike),
          ratioFigure(
            what,
            FLOOR,
            curlLikeToFloor.ratio,
            FLOOR_RATIO_TARGET,
            curlLikeToFloor.baselineMiBPerSecond,
          ),
          ...transferFigures(
            `upload (${size} PUT, Go-like: ${GO_WRITE_BYTES / 1024} KiB writes)`,
            FLOOR,
            goLike,
            FLOOR_RATIO_TARGET,
          ),
        ],
      };
    } finally {
      await rawServer.stop();
    }
  });
}
