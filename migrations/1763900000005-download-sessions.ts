import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Download sessions and the files they serve. A file row keeps the storage key of the version the
 * session was created with, so the bytes it serves are pinned even after newer content commits.
 */
export class DownloadSessions1763900000005 implements MigrationInterface {
  name = 'DownloadSessions1763900000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE download_session_view (
        id uuid PRIMARY KEY,
        library_item_id uuid NOT NULL,
        library_id uuid NOT NULL,
        library_item_content_version integer NOT NULL,
        owner text NOT NULL,
        client_token text,
        state text NOT NULL,
        client_progress integer NOT NULL,
        expiration_time timestamptz NOT NULL,
        error_message jsonb,
        creation_time timestamptz NOT NULL,
        last_stream_version integer NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX download_session_view_owner ON download_session_view (owner, library_item_id)',
    );
    await queryRunner.query(
      'CREATE INDEX download_session_view_expiration ON download_session_view (expiration_time)',
    );
    await queryRunner.query(`
      CREATE TABLE download_session_file_view (
        session_id uuid NOT NULL REFERENCES download_session_view (id) ON DELETE CASCADE,
        name text NOT NULL,
        -- Names the file in download URLs; derived from (session, name), so a replay gives the same.
        file_id uuid NOT NULL UNIQUE,
        size bigint NOT NULL,
        digests jsonb NOT NULL,
        storage_key text NOT NULL,
        status text NOT NULL,
        endpoint_type text,
        bytes_transferred bigint NOT NULL DEFAULT 0,
        last_stream_version integer NOT NULL,
        PRIMARY KEY (session_id, name)
      )`);
    // The garbage collector keeps every stored file some session still serves.
    await queryRunner.query(
      'CREATE INDEX download_session_file_view_storage ON download_session_file_view (storage_key)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE download_session_file_view');
    await queryRunner.query('DROP TABLE download_session_view');
  }
}
