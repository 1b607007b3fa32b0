import { TEST_POSTGRES } from '@cls/testing';

import { CoalescingConnection } from './coalescing-connection';

describe('CoalescingConnection', () => {
  let connection: CoalescingConnection;

  beforeEach(async () => {
    connection = new CoalescingConnection({ connectionString: `${TEST_POSTGRES}/postgres` });
    await connection.connect();
    await connection.run('CREATE TEMPORARY TABLE notes (position integer, body text)');
  });

  afterEach(async () => {
    await connection.end();
  });

  const insert = (position: number, body: string | null) =>
    connection.sql.query('INSERT INTO notes (position, body) VALUES ($1, $2)', [position, body]);
  const notes = () =>
    connection.sql.query<{ position: number; body: string | null }>(
      'SELECT position, body FROM notes ORDER BY position',
    );
  const receivedAt = () =>
    connection.sql.query<{ at: string }>('SELECT statement_timestamp()::text AS at');

  it('sends the statements of one tick in one round trip, in the order they were issued', async () => {
    // statement_timestamp() is the time the query message arrived: one message, one time.
    const [first, , , second] = await Promise.all([
      receivedAt(),
      insert(1, 'one'),
      connection.sql.query<{ count: string }>('SELECT count(*) FROM notes'),
      receivedAt(),
    ]);
    expect(first).toEqual(second);
    expect(await connection.sql.query('SELECT count(*)::int AS count FROM notes')).toEqual([
      { count: 1 },
    ]);

    const later = await receivedAt();
    expect(later).not.toEqual(first);
  });

  it('answers each statement with its own rows', async () => {
    const [count, rows] = await Promise.all([
      connection.sql.query('SELECT 41 + 1 AS answer'),
      connection.sql.query('SELECT generate_series(1, 3) AS n'),
    ]);
    expect(count).toEqual([{ answer: 42 }]);
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('inlines parameters so that any text arrives as it was sent', async () => {
    const hostile = [
      "it's",
      'back\\slash',
      "'); DROP TABLE notes; --",
      '$1 $$ dollar',
      'ünïcødé ✓',
      '',
    ];
    await Promise.all([...hostile.map((body, index) => insert(index, body)), insert(99, null)]);

    expect(await notes()).toEqual([
      ...hostile.map((body, position) => ({ position, body })),
      { position: 99, body: null },
    ]);
  });

  it('prepares each statement text once per connection', async () => {
    const preparedCount = () =>
      connection.sql.query('SELECT count(*)::int AS count FROM pg_prepared_statements');
    await Promise.all([insert(1, 'a'), insert(2, 'b')]);
    // The insert and this count itself.
    expect(await preparedCount()).toEqual([{ count: 2 }]);

    await insert(3, 'c');
    expect(await preparedCount()).toEqual([{ count: 2 }]);
    expect(await notes()).toHaveLength(3);
  });

  it('rejects every statement of a failing round trip, which changes nothing, and goes on', async () => {
    const outcomes = await Promise.allSettled([
      insert(1, 'before'),
      connection.sql.query('SELECT 1 / 0'),
      insert(2, 'after'),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(outcomes[0]).toMatchObject({ reason: { message: 'division by zero' } });
    expect(await notes()).toEqual([]);
    await insert(3, 'next');
    expect(await notes()).toEqual([{ position: 3, body: 'next' }]);
  });

  it('prepares a statement again after its preparation failed', async () => {
    const readLater = () => connection.sql.query('SELECT count(*)::int AS count FROM later');
    await expect(readLater()).rejects.toThrow('relation "later" does not exist');

    await connection.run('CREATE TEMPORARY TABLE later (id integer)');
    expect(await readLater()).toEqual([{ count: 0 }]);
  });

  it('refuses a parameter it cannot write as a literal', async () => {
    await expect(insert(1, { body: 'object' } as unknown as string)).rejects.toThrow(TypeError);
    expect(await notes()).toEqual([]);
  });
});
