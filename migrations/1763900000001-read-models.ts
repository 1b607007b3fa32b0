import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Inline read models. Each row remembers the stream version it reflects, so a replayed event is a no-op. */
export class ReadModels1763900000001 implements MigrationInterface {
  name = 'ReadModels1763900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE library_view (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        description text NOT NULL,
        type text NOT NULL,
        storage_backing jsonb NOT NULL,
        server_guid text,
        extras jsonb,
        version integer NOT NULL,
        creation_time timestamptz NOT NULL,
        last_modified_time timestamptz NOT NULL,
        last_stream_version integer NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE library_item_view (
        id uuid PRIMARY KEY,
        library_id uuid NOT NULL,
        name text NOT NULL,
        description text NOT NULL,
        type text,
        content_version integer NOT NULL,
        metadata_version integer NOT NULL,
        version integer NOT NULL,
        cached boolean NOT NULL,
        size bigint NOT NULL,
        creation_time timestamptz NOT NULL,
        last_modified_time timestamptz NOT NULL,
        last_stream_version integer NOT NULL
      )`);
    // Names are unique per library; the index is the guard two racing creates cannot slip past.
    await queryRunner.query(
      'CREATE UNIQUE INDEX library_item_view_name_per_library ON library_item_view (library_id, name)',
    );
    await queryRunner.query(`
      CREATE TABLE update_session_view (
        id uuid PRIMARY KEY,
        library_item_id uuid NOT NULL,
        library_item_content_version integer NOT NULL,
        owner text NOT NULL,
        client_token text,
        state text NOT NULL,
        client_progress integer NOT NULL,
        expiration_time timestamptz NOT NULL,
        warning_behavior jsonb NOT NULL,
        error_message jsonb,
        creation_time timestamptz NOT NULL,
        last_stream_version integer NOT NULL
      )`);
    // One ACTIVE update session per item, enforced by the database even with API processes racing.
    await queryRunner.query(
      `CREATE UNIQUE INDEX update_session_view_one_active_per_item ON update_session_view (library_item_id) WHERE state = 'ACTIVE'`,
    );
    await queryRunner.query(
      'CREATE INDEX update_session_view_owner ON update_session_view (owner, library_item_id)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE update_session_view');
    await queryRunner.query('DROP TABLE library_item_view');
    await queryRunner.query('DROP TABLE library_view');
  }
}
