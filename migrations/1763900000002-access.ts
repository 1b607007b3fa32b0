import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, their privilege grants and their API login sessions (tokens are stored hashed). */
export class Access1763900000002 implements MigrationInterface {
  name = 'Access1763900000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cls_user (
        name text PRIMARY KEY,
        password_hash text NOT NULL,
        is_admin boolean NOT NULL DEFAULT false,
        creation_time timestamptz NOT NULL DEFAULT now()
      )`);
    // object_id '' means the grant holds on every object (global).
    await queryRunner.query(`
      CREATE TABLE cls_user_grant (
        user_name text NOT NULL REFERENCES cls_user (name) ON DELETE CASCADE,
        privilege text NOT NULL,
        object_id text NOT NULL DEFAULT '',
        PRIMARY KEY (user_name, privilege, object_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE api_session (
        token_hash text PRIMARY KEY,
        user_name text NOT NULL REFERENCES cls_user (name) ON DELETE CASCADE,
        created_time timestamptz NOT NULL,
        last_accessed_time timestamptz NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX api_session_last_accessed ON api_session (last_accessed_time)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE api_session');
    await queryRunner.query('DROP TABLE cls_user_grant');
    await queryRunner.query('DROP TABLE cls_user');
  }
}
