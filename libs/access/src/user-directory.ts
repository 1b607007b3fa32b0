import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import {
  AlreadyExists,
  invalidArgument,
  isStorableText,
  message,
  NotAllowedInCurrentState,
  notFound,
} from '@cls/domain';
import { DATA_SOURCE } from '@cls/database';

import { LoginSessions } from './login-sessions';
import { hashPassword, verifyAgainstNoUser, verifyPassword } from './passwords';
import type { Grant } from './privileges';
import { grantsFromRows } from './privileges';

export interface UserRecord {
  readonly name: string;
  readonly isAdmin: boolean;
  readonly grants: readonly Grant[];
  readonly creationTime: Date;
}

interface UserRow {
  name: string;
  is_admin: boolean;
  creation_time: Date;
  grants: { privilege: string; object_id: string }[];
}

export const USER_NAME_PATTERN = /^[A-Za-z0-9@._\\-]{1,128}$/;
export const PASSWORD_MIN_LENGTH = 8;

const USER_SELECT = `
  SELECT u.name, u.is_admin, u.creation_time,
         coalesce(json_agg(json_build_object('privilege', g.privilege, 'object_id', g.object_id)
                  ORDER BY g.privilege, g.object_id) FILTER (WHERE g.privilege IS NOT NULL), '[]') AS grants
  FROM cls_user u LEFT JOIN cls_user_grant g ON g.user_name = u.name`;

/** Users and their privilege grants (our `/api/cls/users` extension). */
@Injectable()
export class UserDirectory {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly logins: LoginSessions,
  ) {}

  async verifyCredentials(name: string, password: string): Promise<boolean> {
    // No user can have such a name, and Postgres would refuse to look it up.
    if (!isStorableText(name)) return false;
    const [row] = await this.db.query<{ password_hash: string }[]>(
      'SELECT password_hash FROM cls_user WHERE name = $1',
      [name],
    );
    if (row === undefined) return verifyAgainstNoUser(password);
    return verifyPassword(password, row.password_hash);
  }

  async exists(name: string): Promise<boolean> {
    const rows = await this.db.query<unknown[]>('SELECT 1 FROM cls_user WHERE name = $1', [name]);
    return rows.length > 0;
  }

  async list(): Promise<UserRecord[]> {
    const rows = await this.db.query<UserRow[]>(`${USER_SELECT} GROUP BY u.name ORDER BY u.name`);
    return rows.map((row) => this.toRecord(row));
  }

  async get(name: string): Promise<UserRecord> {
    const [row] = await this.db.query<UserRow[]>(
      `${USER_SELECT} WHERE u.name = $1 GROUP BY u.name`,
      [name],
    );
    if (!row) throw notFound('user', name);
    return this.toRecord(row);
  }

  async create(name: string, password: string, isAdmin: boolean): Promise<UserRecord> {
    this.checkName(name);
    this.checkPassword(password);
    const inserted = await this.db.query<unknown[]>(
      'INSERT INTO cls_user (name, password_hash, is_admin) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING name',
      [name, await hashPassword(password), isAdmin],
    );
    if (inserted.length === 0) {
      throw new AlreadyExists(
        message('com.vmware.cls.users.user_exists', `User ${name} already exists.`, [name]),
      );
    }
    return this.get(name);
  }

  async update(
    name: string,
    changes: { password?: string; isAdmin?: boolean },
  ): Promise<UserRecord> {
    await this.get(name);
    if (changes.password !== undefined) {
      this.checkPassword(changes.password);
      await this.db.query('UPDATE cls_user SET password_hash = $2 WHERE name = $1', [
        name,
        await hashPassword(changes.password),
      ]);
      // A new password ends the sessions opened with the old one.
      await this.db.query('DELETE FROM api_session WHERE user_name = $1', [name]);
    }
    if (changes.isAdmin === true) {
      await this.db.query('UPDATE cls_user SET is_admin = true WHERE name = $1', [name]);
    } else if (changes.isAdmin === false) {
      await this.keepingAnAdministrator(name, (sql) =>
        sql.query('UPDATE cls_user SET is_admin = false WHERE name = $1', [name]),
      );
    }
    this.logins.forgetUser(name);
    return this.get(name);
  }

  async remove(name: string): Promise<void> {
    const deleted = await this.keepingAnAdministrator(name, (sql) =>
      sql.query<[unknown[], number]>('DELETE FROM cls_user WHERE name = $1 RETURNING name', [name]),
    );
    if (deleted[1] === 0) throw notFound('user', name);
    this.logins.forgetUser(name);
  }

  /**
   * Runs `change` (a demotion or a deletion of `name`) unless it would leave no administrator:
   * then it is `not_allowed_in_current_state`. The table is locked against other writers for the
   * check and the change, so two administrators demoting each other cannot both succeed.
   */
  private keepingAnAdministrator<T>(
    name: string,
    change: (sql: { query: DataSource['query'] }) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(async (manager) => {
      await manager.query('LOCK TABLE cls_user IN SHARE ROW EXCLUSIVE MODE');
      const [guard] = await manager.query<{ last: boolean }[]>(
        `SELECT bool_or(is_admin AND name = $1) AND NOT coalesce(bool_or(is_admin AND name <> $1), false)
                AS last
           FROM cls_user`,
        [name],
      );
      if (guard?.last) {
        throw new NotAllowedInCurrentState(
          message(
            'com.vmware.cls.users.last_administrator',
            `User ${name} is the last administrator; make another user an administrator first.`,
            [name],
          ),
        );
      }
      return change(manager);
    });
  }

  async grant(name: string, grant: Grant): Promise<UserRecord> {
    await this.get(name);
    await this.db.query(
      'INSERT INTO cls_user_grant (user_name, privilege, object_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [name, grant.privilege, grant.objectId ?? ''],
    );
    this.logins.forgetUser(name);
    return this.get(name);
  }

  async revoke(name: string, grant: Grant): Promise<UserRecord> {
    await this.get(name);
    await this.db.query(
      'DELETE FROM cls_user_grant WHERE user_name = $1 AND privilege = $2 AND object_id = $3',
      [name, grant.privilege, grant.objectId ?? ''],
    );
    this.logins.forgetUser(name);
    return this.get(name);
  }

  /**
   * Creates the bootstrap administrator when missing. A configured password is the source of truth
   * and replaces a stored one that no longer matches; returns true when the user was created.
   */
  async ensureAdmin(name: string, password: string): Promise<boolean> {
    const inserted = await this.db.query<unknown[]>(
      'INSERT INTO cls_user (name, password_hash, is_admin) VALUES ($1, $2, true) ON CONFLICT DO NOTHING RETURNING name',
      [name, await hashPassword(password)],
    );
    if (inserted.length > 0) return true;
    await this.db.query('UPDATE cls_user SET is_admin = true WHERE name = $1', [name]);
    return false;
  }

  async resetPasswordIfChanged(name: string, password: string): Promise<void> {
    if (!(await this.verifyCredentials(name, password))) {
      await this.db.query('UPDATE cls_user SET password_hash = $2 WHERE name = $1', [
        name,
        await hashPassword(password),
      ]);
    }
  }

  private checkName(name: string): void {
    if (!USER_NAME_PATTERN.test(name)) {
      throw invalidArgument('name', 'user names are 1-128 letters, digits, @ . _ - or \\');
    }
  }

  private checkPassword(password: string): void {
    if (password.length < PASSWORD_MIN_LENGTH) {
      throw invalidArgument(
        'password',
        `passwords have at least ${PASSWORD_MIN_LENGTH} characters`,
      );
    }
  }

  private toRecord(row: UserRow): UserRecord {
    return {
      name: row.name,
      isAdmin: row.is_admin,
      grants: grantsFromRows(row.grants),
      creationTime: row.creation_time,
    };
  }
}
