import { createHash } from 'node:crypto';

import type { FastifyInstance } from 'fastify';
import { fastify } from 'fastify';
import type { Pool, PoolClient, QueryResult } from 'pg';

/**
 * What the bench's floor servers share: the plain floor (`floor-server.ts`) and the same-work
 * floor (`same-work-floor-server.ts`) answer the session loop alike and differ only in the work
 * behind it.
 */

export const SESSIONS = '/api/content/library/item/update-session';
/** Longer than any bench run, on every side: no session's deadline falls within it. */
export const SESSION_TIMEOUT_MS = 3_600_000;
/** The same-work floor's commit notifications, which wake its relay. */
export const FLOOR_COMMITS_CHANNEL = 'floor_commits';

/** An answer other than success, with the vAPI error type the real API would give. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
  ) {
    super(errorType);
  }
}

export type Sql = Pool | PoolClient;

/** Runs one of `statements` by name, so each connection prepares it once. */
export function namedQuery<Name extends string>(statements: Readonly<Record<Name, string>>) {
  return <T>(sql: Sql, name: Name, values: unknown[]): Promise<QueryResult<T & object>> =>
    sql.query<T & object>({ name, text: statements[name], values });
}

function tokenHash(header: string | string[] | undefined): Buffer {
  return createHash('sha256')
    .update(typeof header === 'string' ? header : '')
    .digest();
}

/** Both floors authenticate every call against one table, prepared once per connection. */
const loginQuery = namedQuery({
  authenticate: 'SELECT user_name FROM floor_login WHERE token_hash = $1',
});

/** Creates the login table with one user, who logs in with `token`. */
export async function createLogin(pool: Pool, token: string): Promise<void> {
  await pool.query(
    'CREATE TABLE floor_login (token_hash bytea PRIMARY KEY, user_name text NOT NULL)',
  );
  await pool.query('INSERT INTO floor_login (token_hash, user_name) VALUES ($1, $2)', [
    tokenHash(token),
    'administrator@vsphere.local',
  ]);
}

/** The user a call's login header names, or a 401 refusal. */
export async function authenticate(
  sql: Sql,
  header: string | string[] | undefined,
): Promise<string> {
  const { rows } = await loginQuery<{ user_name: string }>(sql, 'authenticate', [
    tokenHash(header),
  ]);
  if (!rows[0]) throw new Refusal(401, 'UNAUTHENTICATED');
  return rows[0].user_name;
}

/** BEGIN, `work`, COMMIT on a pooled connection; ROLLBACK if `work` throws. */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** A fastify server that takes raw upload bodies and answers refusals in the vAPI shape. */
export function floorServer(): FastifyInstance {
  const server = fastify();
  // Upload bodies come without a content type.
  server.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  server.setErrorHandler((error, _request, reply) => {
    if (error instanceof Refusal)
      return reply.status(error.status).send({ error_type: error.errorType, messages: [] });
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return reply.status(500).send({ error_type: 'ERROR', messages: [] });
  });
  return server;
}

/**
 * Runs a bench helper process: `start` prints the port first (the bench reads it), SIGTERM runs
 * `stop` and exits; a failed start prints why and exits 1.
 */
export function runHelper(start: () => Promise<number>, stop: () => Promise<void>): void {
  process.on('SIGTERM', () => {
    void stop().then(() => process.exit(0));
  });
  start()
    .then((port) => process.stdout.write(`${port}\n`))
    .catch((error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
}
