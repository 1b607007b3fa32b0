import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type TransferDirection = 'upload' | 'download' | 'pull';
export type AppendOutcome = 'ok' | 'conflict' | 'error';
export type JobOutcome = 'completed' | 'failed';

export interface SessionCount {
  readonly kind: 'update' | 'download';
  readonly state: string;
  readonly count: number;
}

export interface QueueCount {
  readonly queue: string;
  readonly state: string;
  readonly count: number;
}

/**
 * How long a scrape waits for a sampled source. Queue connections wait for Redis indefinitely
 * (they must ride out restarts), so without a bound a scrape during an outage would hang.
 */
const SAMPLE_TIMEOUT_MS = 2_000;

function withinTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took over ${SAMPLE_TIMEOUT_MS} ms`)),
      SAMPLE_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Something that counts bytes as they flow, cheap enough to call for every chunk. */
export interface ByteCounter {
  inc(bytes: number): void;
}

/**
 * Every metric this service exposes, in one registry per process (`/metrics` on the API's port,
 * `METRICS_PORT` on a worker). Labels are bounded sets: route patterns, never URLs or ids.
 * Gauges whose truth lives elsewhere (views, queues) are sampled at scrape time.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly logger = new Logger('metrics');

  private readonly httpDuration = new Histogram({
    name: 'cls_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  private readonly transferred = new Counter({
    name: 'cls_transfer_bytes_total',
    help: 'File bytes moved: upload (PUSH bodies), download (served), pull (fetched by workers)',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });

  private readonly jobDuration = new Histogram({
    name: 'cls_job_duration_seconds',
    help: 'Job run time by queue, job name and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [this.registry],
  });

  private readonly jobFailures = new Counter({
    name: 'cls_job_failures_total',
    help: 'Failed job attempts by queue and job name (retried or not)',
    labelNames: ['queue', 'job'] as const,
    registers: [this.registry],
  });

  private readonly appendDuration = new Histogram({
    name: 'cls_event_append_duration_seconds',
    help: 'Event store append transactions (with inline projections) by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'cls_' });
  }

  observeRequest(method: string, route: string, statusClass: string, seconds: number): void {
    this.httpDuration.observe({ method, route, status_class: statusClass }, seconds);
  }

  bytes(direction: TransferDirection): ByteCounter {
    return this.transferred.labels(direction);
  }

  observeJob(queue: string, job: string, outcome: JobOutcome, seconds: number): void {
    this.jobDuration.observe({ queue, job, outcome }, seconds);
    if (outcome === 'failed') this.jobFailures.inc({ queue, job });
  }

  observeAppend(outcome: AppendOutcome, seconds: number): void {
    this.appendDuration.observe({ outcome }, seconds);
  }

  /** Sessions by kind and state, read from the views at each scrape. */
  sampleSessions(sample: () => Promise<readonly SessionCount[]>): void {
    this.sampledGauge(
      'cls_sessions',
      'Transfer sessions by kind and state',
      ['kind', 'state'],
      async () =>
        (await sample()).map(({ kind, state, count }) => ({ labels: { kind, state }, count })),
    );
  }

  /** Jobs per queue and BullMQ state, read from Redis at each scrape. */
  sampleQueues(sample: () => Promise<readonly QueueCount[]>): void {
    this.sampledGauge(
      'cls_queue_jobs',
      'Jobs per queue by state (waiting, active, delayed, failed, ...)',
      ['queue', 'state'],
      async () =>
        (await sample()).map(({ queue, state, count }) => ({ labels: { queue, state }, count })),
    );
  }

  /** A scrape whose source is down or slow shows no samples for it rather than failing or hanging. */
  private sampledGauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    sample: () => Promise<{ labels: Record<L, string>; count: number }[]>,
  ): void {
    const logger = this.logger;
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const { labels, count } of await withinTimeout(sample(), name))
            this.set(labels, count);
        } catch (error) {
          logger.warn(`cannot sample ${name}: ${(error as Error).message}`);
        }
      },
    });
  }
}
