import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { AdvisoryLock } from './advisory-locks';
import { createDataSource } from './data-source';
import { ensureDatabase } from './ensure-database';

/**
 * Creates the database if needed and applies pending migrations. Several processes may start at
 * once: an advisory lock makes them take turns, and the later ones find nothing left to do.
 */
export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const dataSource: DataSource = await createDataSource({
    url,
    poolSize: 2,
    applicationName: 'cls-migrate',
  }).initialize();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [AdvisoryLock.migrations]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock($1)', [AdvisoryLock.migrations])
      .catch(() => undefined);
    await runner.release();
    await dataSource.destroy();
  }
}

/** `migrate` as an API or worker process starts, saying in the log what it applied. */
export async function migrateOnStart(url: string): Promise<void> {
  const applied = await migrate(url);
  if (applied.length > 0) new Logger('bootstrap').log(`applied migrations: ${applied.join(', ')}`);
}
