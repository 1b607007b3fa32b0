import { Module } from '@nestjs/common';

import { Queues } from './queues';

/** The queues as a producer sees them; the API needs them without running workers (the dashboard). */
@Module({ providers: [Queues], exports: [Queues] })
export class QueuesModule {}
