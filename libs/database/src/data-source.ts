import { DataSource } from 'typeorm';

import { MIGRATIONS } from '@cls/migrations';

export interface DataSourceOptions {
  readonly url: string;
  /** Connections this process may hold; API and worker processes each have their own pool. */
  readonly poolSize?: number;
  readonly applicationName?: string;
}

export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    applicationName: options.applicationName ?? 'cls-engine',
    poolSize: options.poolSize ?? 20,
    extra: { connectionTimeoutMillis: 5000 },
    logging: false,
  });
}
