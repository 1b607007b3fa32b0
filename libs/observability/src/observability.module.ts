import { Global, Module } from '@nestjs/common';

import { Metrics } from './metrics';

/** One metrics registry per process, for every module that measures something. */
@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class ObservabilityModule {}
