import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { loadConfig } from '@cls/config';
import { PostgresNotifications } from '@cls/database';
import type { TestDatabase } from '@cls/testing';
import { createTestDatabase, eventually } from '@cls/testing';

import { LoginSessions } from './login-sessions';

/** Counts the statements a data source is asked to run. */
function counted(dataSource: DataSource): { db: DataSource; statements: () => number } {
  let statements = 0;
  const db = new Proxy(dataSource, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
      return (...args: Parameters<DataSource['query']>) => {
        statements += 1;
        return target.query(...args);
      };
    },
  });
  return { db, statements: () => statements };
}

describe('LoginSessions cache (real Postgres LISTEN/NOTIFY)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let config: AppConfig;
  const processes: PostgresNotifications[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('login_sessions');
    dataSource = await database.open();
    config = loadConfig({ DATABASE_URL: database.url });
    await dataSource.query(
      `INSERT INTO cls_user (name, password_hash, is_admin) VALUES ('alice', 'x', false)`,
    );
  });

  afterAll(async () => {
    await Promise.all(processes.map((notifications) => notifications.onApplicationShutdown()));
    await database.drop();
  });

  /** LoginSessions as one API process has it: its own LISTEN connection. */
  function apiProcess(): { logins: LoginSessions; statements: () => number } {
    const notifications = new PostgresNotifications(config);
    processes.push(notifications);
    const { db, statements } = counted(dataSource);
    return { logins: new LoginSessions(db, config, notifications), statements };
  }

  it('answers a token from memory until the database says its user changed', async () => {
    const writer = apiProcess();
    const reader = apiProcess();
    const now = new Date();
    const token = await writer.logins.open('alice', now);

    expect((await reader.logins.resolve(token, now)).caller.grants).toEqual([]);
    const afterFirst = reader.statements();
    await reader.logins.resolve(token, new Date(now.getTime() + 1_000));
    expect(reader.statements()).toBe(afterFirst);

    // A grant given by another process (or by hand) reaches this one's next request.
    await dataSource.query(
      `INSERT INTO cls_user_grant (user_name, privilege, object_id) VALUES ('alice', 'System.Read', '')`,
    );
    await eventually(
      async () => (await reader.logins.resolve(token, now)).caller.grants,
      (grants) => grants.length === 1,
      { what: 'the new grant seen through the cache' },
    );

    // A logout in another process ends the token here too.
    await writer.logins.close((await writer.logins.resolve(token, now)).tokenHash);
    await eventually(
      () =>
        reader.logins.resolve(token, now).then(
          () => 'valid',
          (error: Error) => error.constructor.name,
        ),
      (outcome) => outcome === 'Unauthenticated',
      { what: 'the logged-out token refused' },
    );
  });

  it('refuses a token at once in the process that logged it out', async () => {
    const { logins } = apiProcess();
    const now = new Date();
    const token = await logins.open('alice', now);
    const { tokenHash } = await logins.resolve(token, now);
    await logins.close(tokenHash);
    await expect(logins.resolve(token, now)).rejects.toThrow('Authentication required');
  });

  it('still ends a login that idles past its timeout while cached', async () => {
    const { logins } = apiProcess();
    const now = new Date();
    const token = await logins.open('alice', now);
    await logins.resolve(token, now);
    const idle = new Date(now.getTime() + config.loginIdleTimeoutSeconds * 1000 + 1);
    await expect(logins.resolve(token, idle)).rejects.toThrow('Authentication required');
  });
});
