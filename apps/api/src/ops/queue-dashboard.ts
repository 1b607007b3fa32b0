import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyPluginAsync } from 'fastify';

import { DomainError } from '@cls/domain';
import { isDatabaseUnavailable } from '@cls/event-store';
import { errorBody, statusOf } from '@cls/http';
import { Queues } from '@cls/jobs';

import { AdminGate } from './admin-gate';

const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board over every queue at `/admin/queues`, for administrators only (see AdminGate). It
 * lives beside the Nest routes, in its own Fastify scope whose first hook is the gate: 401 (with a
 * Basic challenge, so a browser asks) without a login, 403 for anyone but an administrator.
 */
export async function serveQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const gate = app.get(AdminGate);
  const board = new FastifyAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: app
      .get(Queues)
      .all()
      .map((queue) => new BullMQAdapter(queue)),
    serverAdapter: board,
  });
  const gated: FastifyPluginAsync = async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      try {
        await gate.admit(request);
      } catch (error) {
        if (error instanceof DomainError) {
          const status = statusOf(error.code, 'api');
          if (status === 401) void reply.header('www-authenticate', 'Basic realm="cls-engine"');
          return reply.code(status).send(errorBody(error, 'api'));
        }
        if (isDatabaseUnavailable(error)) return reply.code(503).send();
        throw error;
      }
    });
    await scope.register(board.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  };
  await app.register(gated);
}
