import { ConsoleLogger, Logger } from '@nestjs/common';

import type { PrometheusSample } from '@cls/testing';
import { parsePrometheusText, sampleValue } from '@cls/testing';

import { Metrics } from './metrics';

async function scrape(metrics: Metrics): Promise<PrometheusSample[]> {
  return parsePrometheusText(await metrics.registry.metrics());
}

describe('Metrics', () => {
  // The failing samplers below warn; keep the test output clean.
  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  afterAll(() => {
    Logger.overrideLogger(new ConsoleLogger());
  });

  it('samples sessions at each scrape, forgetting states that emptied', async () => {
    const metrics = new Metrics();
    let counts = [
      { kind: 'update' as const, state: 'ACTIVE', count: 3 },
      { kind: 'download' as const, state: 'ACTIVE', count: 1 },
    ];
    metrics.sampleSessions(() => Promise.resolve(counts));
    let samples = await scrape(metrics);
    expect(sampleValue(samples, 'cls_sessions', { kind: 'update', state: 'ACTIVE' })).toBe(3);
    expect(sampleValue(samples, 'cls_sessions', { kind: 'download', state: 'ACTIVE' })).toBe(1);

    counts = [{ kind: 'update', state: 'DONE', count: 3 }];
    samples = await scrape(metrics);
    expect(samples.filter((sample) => sample.name === 'cls_sessions')).toEqual([
      { name: 'cls_sessions', labels: { kind: 'update', state: 'DONE' }, value: 3 },
    ]);
  });

  it('still answers a scrape when a sampled source fails', async () => {
    const metrics = new Metrics();
    metrics.sampleQueues(() => Promise.reject(new Error('redis down')));
    metrics.observeAppend('ok', 0.01);
    const samples = await scrape(metrics);
    expect(samples.some((sample) => sample.name === 'cls_queue_jobs')).toBe(false);
    expect(sampleValue(samples, 'cls_event_append_duration_seconds_count')).toBe(1);
  });

  it('does not hang a scrape on a source that never answers', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const metrics = new Metrics();
      metrics.sampleQueues(() => new Promise(() => undefined));
      const scraped = scrape(metrics);
      await jest.advanceTimersByTimeAsync(2_000);
      const samples = await scraped;
      expect(samples.some((sample) => sample.name === 'cls_queue_jobs')).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts bytes by direction and job failures with their durations', async () => {
    const metrics = new Metrics();
    metrics.bytes('upload').inc(100);
    metrics.bytes('upload').inc(28);
    metrics.bytes('pull').inc(7);
    metrics.observeJob('session-cleanup', 'discard-staging', 'completed', 0.2);
    metrics.observeJob('session-transfer', 'pull-file', 'failed', 1.5);
    const samples = await scrape(metrics);
    expect(sampleValue(samples, 'cls_transfer_bytes_total', { direction: 'upload' })).toBe(128);
    expect(sampleValue(samples, 'cls_transfer_bytes_total', { direction: 'pull' })).toBe(7);
    expect(
      sampleValue(samples, 'cls_job_duration_seconds_count', {
        queue: 'session-transfer',
        outcome: 'failed',
      }),
    ).toBe(1);
    expect(sampleValue(samples, 'cls_job_failures_total', { job: 'pull-file' })).toBe(1);
    expect(sampleValue(samples, 'cls_job_failures_total', { job: 'discard-staging' })).toBe(0);
  });
});
