import { randomBytes } from 'node:crypto';

import { Client } from 'pg';
import type { DataSource } from 'typeorm';

import { createDataSource, migrate } from '@cls/database';

export const TEST_POSTGRES = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  open(): Promise<DataSource>;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database per spec file, so runs never collide on one Postgres (STYLE §9);
 * on the machine's shared server unless given another (a fault test's private one).
 */
export async function createTestDatabase(
  label: string,
  server: string = TEST_POSTGRES,
): Promise<TestDatabase> {
  const name = `cls_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = `${server}/${name}`;
  await migrate(url);
  const opened: DataSource[] = [];
  return {
    url,
    name,
    async open() {
      const dataSource = await createDataSource({ url, poolSize: 10 }).initialize();
      opened.push(dataSource);
      return dataSource;
    },
    async drop() {
      await Promise.all(
        opened
          .filter((dataSource) => dataSource.isInitialized)
          .map((dataSource) => dataSource.destroy()),
      );
      const admin = new Client({ connectionString: `${server}/postgres` });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
