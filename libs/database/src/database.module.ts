import type { OnApplicationShutdown } from '@nestjs/common';
import { Global, Inject, Module } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';

import { createDataSource } from './data-source';
import { PostgresNotifications } from './postgres-notifications';

export const DATA_SOURCE = Symbol('DATA_SOURCE');

/**
 * One connection pool per process, opened at boot and closed last on shutdown, and the process's
 * one LISTEN connection.
 */
@Global()
@Module({
  providers: [
    {
      provide: DATA_SOURCE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Promise<DataSource> =>
        createDataSource({ url: config.databaseUrl }).initialize(),
    },
    PostgresNotifications,
  ],
  exports: [DATA_SOURCE, PostgresNotifications],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
