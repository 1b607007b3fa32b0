import type { DataSource } from 'typeorm';

import { createDataSource } from './data-source';
import { ensureDatabase } from './ensure-database';

/** Any constant works; it only has to be the same for every process of the deployment. */
const MIGRATION_LOCK_KEY = 0x636c73; // "cls"

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
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    await runner.release();
    await dataSource.destroy();
  }
}
