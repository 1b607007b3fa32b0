import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail's index: which library and item every stream belongs to, kept forever (a
 * session's history outlives the purge of its view), and the actor of every event.
 */
export class Audit1763900000006 implements MigrationInterface {
  name = 'Audit1763900000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE stream_scope_view (
        stream_id text PRIMARY KEY,
        stream_type text NOT NULL,
        library_id uuid NOT NULL,
        library_item_id uuid
      )`);
    await queryRunner.query(
      'CREATE INDEX stream_scope_view_item ON stream_scope_view (library_item_id)',
    );
    await queryRunner.query(
      'CREATE INDEX stream_scope_view_library ON stream_scope_view (library_id)',
    );
    // Streams created before this migration: their creation events say where they belong.
    await queryRunner.query(`
      INSERT INTO stream_scope_view (stream_id, stream_type, library_id, library_item_id)
      SELECT stream_id, stream_type, (data->>'libraryId')::uuid,
             CASE event_type
               WHEN 'LocalLibraryCreated' THEN NULL
               WHEN 'LibraryItemCreated' THEN (data->>'itemId')::uuid
               ELSE (data->>'libraryItemId')::uuid
             END
        FROM events
       WHERE event_type IN ('LocalLibraryCreated', 'LibraryItemCreated',
                            'UpdateSessionCreated', 'DownloadSessionCreated')
      ON CONFLICT (stream_id) DO NOTHING`);
    await queryRunner.query(
      `CREATE INDEX events_actor ON events ((metadata->>'actor'), transaction_id, global_position)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX events_actor');
    await queryRunner.query('DROP TABLE stream_scope_view');
  }
}
