import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only event store. `global_position` orders events; `transaction_id` lets feed readers
 * stop below the oldest transaction still running, so a late commit never slips behind a checkpoint.
 */
export class EventStore1763900000000 implements MigrationInterface {
  name = 'EventStore1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE events (
        global_position bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        stream_type text NOT NULL,
        stream_version integer NOT NULL CHECK (stream_version > 0),
        event_type text NOT NULL,
        schema_version integer NOT NULL CHECK (schema_version > 0),
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      )`);
    await queryRunner.query('CREATE INDEX events_feed ON events (transaction_id, global_position)');
    await queryRunner.query('CREATE INDEX events_type_time ON events (event_type, recorded_at)');
    await queryRunner.query(`
      CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_are_append_only()`);
    await queryRunner.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE events');
    await queryRunner.query('DROP FUNCTION events_are_append_only()');
  }
}
