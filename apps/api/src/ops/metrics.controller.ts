import type { OnModuleInit } from '@nestjs/common';
import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { Public } from '@cls/http';
import { Metrics } from '@cls/observability';
import { SessionStateQueries } from '@cls/sessions';

/** Prometheus scrapes the API here; sessions by state are counted from the views at each scrape. */
@Controller()
@Public()
export class MetricsController implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly sessionStates: SessionStateQueries,
  ) {}

  onModuleInit(): void {
    this.metrics.sampleSessions(() => this.sessionStates.counts());
  }

  @Get('metrics')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.registry.metrics();
    await reply.type(this.metrics.registry.contentType).send(text);
  }
}
