import type { MigrationInterface, QueryRunner } from 'typeorm';

/** File lists of update sessions and items, and the key that signs data-plane URLs. */
export class ContentFiles1763900000003 implements MigrationInterface {
  name = 'ContentFiles1763900000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE update_session_file_view (
        session_id uuid NOT NULL,
        name text NOT NULL,
        source_type text NOT NULL,
        status text NOT NULL,
        transfer_id uuid,
        declared_size bigint,
        expected_checksum jsonb,
        size bigint,
        digests jsonb,
        source_endpoint jsonb,
        error_message jsonb,
        last_stream_version integer NOT NULL,
        PRIMARY KEY (session_id, name)
      )`);
    await queryRunner.query(
      'CREATE UNIQUE INDEX update_session_file_view_transfer ON update_session_file_view (transfer_id)',
    );
    await queryRunner.query(`
      CREATE TABLE library_item_file_view (
        item_id uuid NOT NULL,
        name text NOT NULL,
        size bigint NOT NULL,
        digests jsonb NOT NULL,
        version integer NOT NULL,
        storage_key text NOT NULL,
        PRIMARY KEY (item_id, name)
      )`);
    // Shared by every process of the deployment; created on first use.
    await queryRunner.query(`
      CREATE TABLE service_secret (
        name text PRIMARY KEY,
        secret bytea NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE service_secret');
    await queryRunner.query('DROP TABLE library_item_file_view');
    await queryRunner.query('DROP TABLE update_session_file_view');
  }
}
