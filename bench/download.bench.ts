import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { startChildServer } from './child-server';
import { formatSize, transferFigures } from './figure';
import {
  addFile,
  completeSession,
  createDownloadSession,
  createItem,
  createLibrary,
  createSession,
  prepareDownload,
  storedPath,
} from './library-api';
import type { Round } from './measure';
import { alternateRounds, elapsedMs, measureRound, median, MiB } from './measure';
import { put, sha256OfRepeated } from './repeated-bytes';
import { withDeployment } from './service-deployment';

const FILE_NAME = 'bench.iso';

export interface DownloadBenchOptions {
  readonly sizeMiB: number;
  readonly rounds: number;
}

interface Fetched {
  readonly ms: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly sha256?: string;
}

/**
 * GETs `uri` and drains the body; rejects unless the answer is 200 with exactly `size` bytes.
 * With `digest`, also hashes the body (only outside measured rounds: it costs the client CPU).
 */
function get(uri: string, size: number, digest = false): Promise<Fetched> {
  const started = process.hrtime.bigint();
  return new Promise((resolveGet, reject) => {
    const outgoing = request(uri, (response) => {
      const sha256 = digest ? createHash('sha256') : undefined;
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        sha256?.update(chunk);
      });
      response.on('error', reject);
      response.on('end', () => {
        if (response.statusCode !== 200 || received !== size) {
          reject(new Error(`GET ${uri} answered ${response.statusCode} with ${received} bytes`));
          return;
        }
        resolveGet({
          ms: elapsedMs(started),
          headers: response.headers,
          ...(sha256 ? { sha256: sha256.digest('base64') } : {}),
        });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Reads the file once so every round is served from the page cache: the bench compares servers, not disks. */
async function warmPageCache(path: string): Promise<void> {
  await pipeline(
    createReadStream(path),
    new Writable({
      write: (_chunk, _encoding, done) => done(),
    }),
  );
}

/**
 * Download throughput of the real endpoint (`/cls/data`: token check, session and file lookup,
 * throttled activity, streamed from disk) against a minimal node:http server streaming the same
 * file with `createReadStream`, alternating rounds in one run. Reports MiB/s, their paired ratio
 * and the API's peak RSS growth while serving.
 */
export async function benchDownload(
  options: DownloadBenchOptions,
): Promise<Record<string, unknown>> {
  const chunk = randomBytes(MiB);
  const size = options.sizeMiB * MiB;

  return withDeployment({ label: 'bench_download', worker: false }, async ({ admin, api }) => {
    const itemId = await createItem(admin, await createLibrary(admin, 'bench'), FILE_NAME);
    const upload = await createSession(admin, itemId);
    const file = await addFile(admin, upload, { name: FILE_NAME, source_type: 'PUSH', size });
    await put(file.upload_endpoint!.uri, chunk, options.sizeMiB);
    await completeSession(admin, upload);
    const path = await storedPath(admin, itemId, FILE_NAME);
    const uri = await prepareDownload(admin, await createDownloadSession(admin, itemId), FILE_NAME);
    const baseline = await startChildServer('raw-download-server.js', [path]);
    try {
      const baselineUri = `http://127.0.0.1:${baseline.port}/`;
      // Unmeasured first downloads warm both servers, and prove the service sends the right bytes.
      await warmPageCache(path);
      await get(baselineUri, size);
      const checked = await get(uri, size, true);
      const expected = Buffer.from(sha256OfRepeated(chunk, options.sizeMiB), 'hex');
      if (checked.sha256 !== expected.toString('base64'))
        throw new Error('the service sent other bytes than were uploaded');
      if (checked.headers['repr-digest'] !== `sha-256=:${checked.sha256}:`)
        throw new Error(`Repr-Digest ${String(checked.headers['repr-digest'])} does not match`);

      const round = async (pid: number, from: string): Promise<Round> => {
        await warmPageCache(path);
        return measureRound(pid, options.sizeMiB, async () => (await get(from, size)).ms);
      };
      const { first: raw, second: service } = await alternateRounds(
        options.rounds,
        () => round(baseline.pid, baselineUri),
        () => round(api.pid!, uri),
      );
      const pairedRatios = service.map(
        (measured, index) => measured.mibPerSecond / raw[index]!.mibPerSecond,
      );
      const medians = {
        serviceMiBPerSecond: median(service.map((measured) => measured.mibPerSecond)),
        baselineMiBPerSecond: median(raw.map((measured) => measured.mibPerSecond)),
        ratio: median(pairedRatios),
        peakRssGrowthMiB: Math.max(...service.map((measured) => measured.rssGrowthMiB)),
      };
      return {
        sizeMiB: options.sizeMiB,
        rounds: options.rounds,
        service: { mibPerSecond: medians.serviceMiBPerSecond, rounds: service },
        baseline: { mibPerSecond: medians.baselineMiBPerSecond, rounds: raw },
        ratio: medians.ratio,
        pairedRatios,
        peakRssGrowthMiB: medians.peakRssGrowthMiB,
        figures: transferFigures(
          `download (${formatSize(options.sizeMiB)} GET)`,
          'createReadStream node:http',
          medians,
        ),
      };
    } finally {
      await baseline.stop();
    }
  });
}
