import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import { Public } from '@cls/http';
import type { Readiness } from '@cls/messaging';
import { ReadinessProbe } from '@cls/messaging';

@Controller()
@Public()
export class HealthController {
  constructor(private readonly readiness: ReadinessProbe) {}

  /** Alive: the process answers. */
  @Get('healthz')
  @HttpCode(200)
  alive(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready: Postgres and Redis are reachable; 503 otherwise, so a load balancer routes around us. */
  @Get('readyz')
  async ready(
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readiness & { status: string }> {
    const readiness = await this.readiness.check();
    const ok = readiness.postgres && readiness.redis;
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'unavailable', ...readiness };
  }
}
