import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pull source URLs with credentials or a query string (a presigned link's signature) are kept
 * here, not in the append-only events, and only until the session ends.
 */
export class PullSourceSecrets1763900000007 implements MigrationInterface {
  name = 'PullSourceSecrets1763900000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pull_source_secret (
        transfer_id uuid PRIMARY KEY,
        session_id text NOT NULL,
        uri text NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX pull_source_secret_session ON pull_source_secret (session_id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE pull_source_secret');
  }
}
