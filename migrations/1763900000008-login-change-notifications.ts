import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every API process caches resolved logins for a few seconds. Any change that can end a login or
 * change what its user may do (logout or sweep, a user's update or deletion, a grant given or
 * taken) names the user on `cls_login_changes` at commit, so every process drops that user's
 * cached logins at once, whichever code path or tool made the change.
 */
export class LoginChangeNotifications1763900000008 implements MigrationInterface {
  name = 'LoginChangeNotifications1763900000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    // TG_ARGV[0] names the table's user column.
    await queryRunner.query(`
      CREATE FUNCTION cls_notify_login_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('cls_login_changes',
          (CASE WHEN TG_OP = 'INSERT' THEN to_jsonb(NEW) ELSE to_jsonb(OLD) END) ->> TG_ARGV[0]);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER api_session_login_change AFTER DELETE ON api_session
        FOR EACH ROW EXECUTE FUNCTION cls_notify_login_change('user_name')`);
    await queryRunner.query(`
      CREATE TRIGGER cls_user_login_change AFTER UPDATE OR DELETE ON cls_user
        FOR EACH ROW EXECUTE FUNCTION cls_notify_login_change('name')`);
    await queryRunner.query(`
      CREATE TRIGGER cls_user_grant_login_change AFTER INSERT OR UPDATE OR DELETE ON cls_user_grant
        FOR EACH ROW EXECUTE FUNCTION cls_notify_login_change('user_name')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER cls_user_grant_login_change ON cls_user_grant');
    await queryRunner.query('DROP TRIGGER cls_user_login_change ON cls_user');
    await queryRunner.query('DROP TRIGGER api_session_login_change ON api_session');
    await queryRunner.query('DROP FUNCTION cls_notify_login_change()');
  }
}
