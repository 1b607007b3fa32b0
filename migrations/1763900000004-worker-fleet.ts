import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the worker fleet needs: the relay's checkpoint in the event feed, certificate warnings of
 * pulled files, postponed completions, and an index for the expiry sweep.
 */
export class WorkerFleet1763900000004 implements MigrationInterface {
  name = 'WorkerFleet1763900000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A feed position is (transaction_id, global_position): the order readers see commits in.
    await queryRunner.query(`
      CREATE TABLE feed_checkpoint (
        consumer text PRIMARY KEY,
        transaction_id xid8 NOT NULL,
        global_position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('ALTER TABLE update_session_file_view ADD COLUMN warnings jsonb');
    // Sessions whose completion waits for pulls: the sweep re-offers them if a job was lost.
    await queryRunner.query(
      'ALTER TABLE update_session_view ADD COLUMN completion_requested boolean NOT NULL DEFAULT false',
    );
    await queryRunner.query(
      'CREATE INDEX update_session_view_expiration ON update_session_view (expiration_time)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX update_session_view_expiration');
    await queryRunner.query('ALTER TABLE update_session_view DROP COLUMN completion_requested');
    await queryRunner.query('ALTER TABLE update_session_file_view DROP COLUMN warnings');
    await queryRunner.query('DROP TABLE feed_checkpoint');
  }
}
