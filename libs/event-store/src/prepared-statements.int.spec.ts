import type { DataSource } from 'typeorm';

import { poolOf, prepared, withPooledClient } from '@cls/event-store';
import type { TestDatabase } from '@cls/testing';
import { createTestDatabase } from '@cls/testing';

describe('pooled connections (real Postgres)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('pooled_connections');
    dataSource = await database.open();
  });

  afterAll(() => database.drop());

  it('a leased connection the server ends while it idles is closed, not pooled, and throws at no one', async () => {
    const pool = poolOf(dataSource);
    const ended = await withPooledClient(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]!.pid;
      // Listening before the termination: the connection may end before that call returns.
      const endedByServer = new Promise((resolve) => client.once('end', resolve));
      await dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
      // Idle until the connection has ended. The server's goodbye came first as an error event,
      // with no statement running to take it: unhandled, it would have ended this process.
      await endedByServer;
      return pid;
    });
    const [next] = await prepared(pool).query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(next?.pid).toBeDefined();
    expect(next?.pid).not.toBe(ended);
  });

  it('names statements so each is prepared once per connection', async () => {
    await withPooledClient(poolOf(dataSource), async (client) => {
      const sql = prepared(client);
      await sql.query('SELECT $1::int AS n', [1]);
      await sql.query('SELECT $1::int AS n', [2]);
      const { rows } = await client.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM pg_prepared_statements WHERE statement = 'SELECT $1::int AS n'`,
      );
      expect(rows[0]?.count).toBe(1);
    });
  });
});
