import { setTimeout as sleep } from 'node:timers/promises';

import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { AdvisoryLock, DATA_SOURCE } from '@cls/database';
import type { JobName } from '@cls/domain';
import { DomainError, updateSessionReactions } from '@cls/domain';
import {
  DownloadSessionQueries,
  ExpireDownloadSessionCommand,
  ExpireUpdateSessionCommand,
  SessionLeftovers,
  UnfinishedWorkQueries,
  UpdateSessionQueries,
  UploadService,
} from '@cls/sessions';

import { JobEnqueuer } from './job-enqueuer';

const SWEEP_EVERY_MS = 5_000;
const BATCH = 500;
/** The jobs whose loss would leave a session waiting forever. */
const OWED: ReadonlySet<JobName> = new Set(['pull-file', 'finish-completion']);

/**
 * The safety net behind the queues (STYLE §6), run every few seconds by one process with the
 * expiration role. It expires and purges sessions whose deadline passed (upload activity moves
 * deadlines without events, and a delayed job may be lost), re-offers the work ACTIVE sessions
 * are still owed, and clears what ended sessions left aside (staging, pull secrets). It lives in the process, not in Redis, so it survives Redis losing its data.
 */
@Injectable()
export class FleetSweeper implements OnApplicationShutdown {
  private readonly logger = new Logger('sweeper');
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;

  constructor(
    private readonly commands: CommandBus,
    private readonly sessions: UpdateSessionQueries,
    private readonly downloads: DownloadSessionQueries,
    private readonly unfinished: UnfinishedWorkQueries,
    private readonly jobs: JobEnqueuer,
    private readonly leftovers: SessionLeftovers,
    private readonly uploads: UploadService,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  start(): void {
    if (!this.config.workerRoles.includes('expiration')) return;
    this.running = this.loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stop.signal.aborted) {
      await sleep(SWEEP_EVERY_MS, undefined, { signal: this.stop.signal }).catch(() => undefined);
      if (this.stop.signal.aborted) return;
      await this.sweepOnce().catch((error: unknown) =>
        this.logger.warn(`sweep failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }

  /** One pass, if no other process is sweeping; the lock lives as long as its connection. */
  async sweepOnce(): Promise<void> {
    const connection = this.db.createQueryRunner();
    await connection.connect();
    try {
      const [lock] = (await connection.query('SELECT pg_try_advisory_lock($1) AS locked', [
        AdvisoryLock.fleetSweep,
      ])) as { locked: boolean }[];
      if (!lock?.locked) return;
      try {
        await this.expireDue();
        await this.reofferOwedWork();
        await this.confirmStagedUploads();
        const cleared = await this.leftovers.clear();
        if (cleared > 0) this.logger.log(`cleared what ${cleared} ended session(s) left aside`);
      } finally {
        await connection.query('SELECT pg_advisory_unlock($1)', [AdvisoryLock.fleetSweep]);
      }
    } finally {
      await connection.release();
    }
  }

  private async expireDue(): Promise<void> {
    const context = (sessionId: string) => ({
      role: 'expiration',
      correlationId: `sweep-${sessionId}`,
      causationId: 'expiry-sweep',
    });
    for (const sessionId of await this.sessions.dueForExpiry(new Date(), BATCH)) {
      await this.commands.execute(new ExpireUpdateSessionCommand(context(sessionId), sessionId));
    }
    for (const sessionId of await this.downloads.dueForExpiry(new Date(), BATCH)) {
      await this.commands.execute(new ExpireDownloadSessionCommand(context(sessionId), sessionId));
    }
  }

  /** Records the receipt of uploads staged whole whose receipt was lost (the database was away). */
  private async confirmStagedUploads(): Promise<void> {
    const quietMs = this.config.stagedUploadConfirmSeconds * 1000;
    for (const push of await this.unfinished.unreceivedPushes(BATCH)) {
      const confirmed = await this.uploads
        .confirmStaged(push.sessionId, push.name, push.transferId, quietMs)
        // The session or file moved on meanwhile (a client confirmed it, say): nothing to do.
        .catch((error: unknown) => {
          if (error instanceof DomainError) return false;
          throw error;
        });
      if (confirmed)
        this.logger.log(`recorded the staged upload of ${push.name} in ${push.sessionId}`);
    }
  }

  private async reofferOwedWork(): Promise<void> {
    const triggers = await this.unfinished.pendingTriggers(BATCH);
    await this.jobs.reoffer(
      triggers.flatMap(({ event, eventId, correlation }) =>
        updateSessionReactions(event, eventId)
          .filter((reaction) => OWED.has(reaction.job))
          .map((reaction) => ({ ...reaction, ...correlation })),
      ),
    );
  }
}
