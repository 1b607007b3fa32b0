import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { QueueName } from '@cls/domain';
import { QUEUE_NAMES } from '@cls/domain';
import { logConnectionErrors } from '@cls/observability';

import { queueConnection } from './queue-connection';

/**
 * The producer side of the queues, one BullMQ `Queue` (one Redis connection) per name, opened on
 * first use and shared by whatever adds, counts or shows jobs in this process.
 */
@Injectable()
export class Queues implements OnApplicationShutdown {
  private readonly opened = new Map<QueueName, Queue>();
  private readonly logger = new Logger('queues');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get(name: QueueName): Queue {
    let queue = this.opened.get(name);
    if (!queue) {
      const { connection, prefix } = queueConnection(this.config);
      queue = new Queue(name, { connection, prefix });
      logConnectionErrors(queue, this.logger, `queue ${name}`);
      this.opened.set(name, queue);
    }
    return queue;
  }

  all(): Queue[] {
    return QUEUE_NAMES.map((name) => this.get(name));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.opened.values()].map((queue) => queue.close()));
  }
}
