import { createHash, randomUUID } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { PoolClient } from 'pg';
import { Pool } from 'pg';
import { pino } from 'pino';

import type { Sql } from './floor-kit';
import {
  authenticate,
  createLogin,
  FLOOR_COMMITS_CHANNEL,
  floorServer,
  inTransaction,
  namedQuery,
  Refusal,
  runHelper,
  SESSION_TIMEOUT_MS,
  SESSIONS,
} from './floor-kit';

/**
 * The same-work floor: the least a fastify + pg server can do for the bench's session loop while
 * doing the durable work the project's design does, so the bench can tell the design's own cost
 * from the project's overhead. Beside the plain floor's work it writes the project's tables (the
 * `events` table with its indexes and triggers, each event with its metadata; the session, file,
 * item, item-file and stream-scope views, migrated by the bench with the project's migrations),
 * digests each upload, stages it and moves it into the item at completion, logs one JSON line per
 * request, and notifies its relay (`same-work-floor-worker.ts`), which turns each new session into
 * a delayed expiry job and each commit that replaced files into a job that deletes them. Every
 * write is one transaction: authentication, the state, one INSERT of the call's events, one
 * statement for its view changes.
 * Arguments: database URL (migrated, items seeded), staging folder, content folder, login token.
 */
const [databaseUrl, staging, content, token] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const FILE_VIEW_COLUMNS =
  'f.name, f.status, f.transfer_id, f.declared_size, f.size, f.digests, f.last_stream_version AS file_version';

const STATEMENTS = {
  item: 'SELECT library_id, content_version, last_stream_version FROM library_item_view WHERE id = $1',
  session: `SELECT s.id, s.library_item_id, s.library_item_content_version, s.state,
      s.expiration_time, s.last_stream_version, ${FILE_VIEW_COLUMNS}
    FROM update_session_view s LEFT JOIN update_session_file_view f ON f.session_id = s.id
    WHERE s.id = $1`,
  append: `INSERT INTO events
      (event_id, stream_id, stream_type, stream_version, event_type, schema_version, data, metadata)
    SELECT id, stream, type, version, event_type, 1, data, $7::jsonb
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::jsonb[])
        AS batch(id, stream, type, version, event_type, data)
    RETURNING pg_notify('${FLOOR_COMMITS_CHANNEL}', stream_id)`,
  created: `WITH session AS (
      INSERT INTO update_session_view (id, library_item_id, library_item_content_version, owner,
        state, client_progress, expiration_time, warning_behavior, creation_time, last_stream_version)
      VALUES ($1, $2, $3, $4, 'ACTIVE', 0, $5, '[]', now(), 1))
    INSERT INTO stream_scope_view (stream_id, stream_type, library_id, library_item_id)
    VALUES ('update_session-' || $1, 'update_session', $6, $2)`,
  fileAdded: `WITH file AS (
      INSERT INTO update_session_file_view (session_id, name, source_type, status, transfer_id,
        declared_size, last_stream_version)
      VALUES ($1, $2, 'PUSH', 'WAITING_FOR_TRANSFER', $3, $4, $5))
    UPDATE update_session_view SET expiration_time = $6, last_stream_version = $5 WHERE id = $1`,
  received: `WITH file AS (
      UPDATE update_session_file_view SET status = 'READY', size = $3, digests = $4,
        last_stream_version = $5
      WHERE session_id = $1 AND name = $2)
    UPDATE update_session_view SET expiration_time = $6, last_stream_version = $5 WHERE id = $1`,
  completed: `WITH session AS (
      UPDATE update_session_view SET state = 'DONE', last_stream_version = $2 WHERE id = $1),
    item AS (
      UPDATE library_item_view SET content_version = $4, size = $6, last_modified_time = now(),
        last_stream_version = $5
      WHERE id = $3),
    file AS (
      INSERT INTO library_item_file_view (item_id, name, size, digests, version, storage_key)
      VALUES ($3, $7, $6, $8, $4, $9)
      ON CONFLICT (item_id, name) DO UPDATE SET size = EXCLUDED.size, digests = EXCLUDED.digests,
        version = EXCLUDED.version, storage_key = EXCLUDED.storage_key)
    SELECT storage_key FROM library_item_file_view WHERE item_id = $3`,
} as const;

interface ItemRow {
  readonly library_id: string;
  readonly content_version: number;
  readonly last_stream_version: number;
}

interface SessionRow {
  readonly id: string;
  readonly library_item_id: string;
  readonly library_item_content_version: number;
  readonly state: string;
  readonly expiration_time: Date;
  readonly last_stream_version: number;
  readonly name: string | null;
  readonly status: string | null;
  readonly transfer_id: string | null;
  readonly declared_size: string | null;
  readonly size: string | null;
  readonly digests: { sha1: string; sha256: string } | null;
}

interface NewEvent {
  readonly stream: string;
  readonly type: string;
  readonly version: number;
  readonly eventType: string;
  readonly data: object;
}

const pool = new Pool({ connectionString: databaseUrl, max: 20 });
const query = namedQuery(STATEMENTS);
const server = floorServer();
const log = pino();
// One line per request, as the project's API logs at `info`.
server.addHook('onResponse', async (request, reply) => {
  log.info(
    { method: request.method, url: request.url, status: reply.statusCode },
    'request completed',
  );
});

const sessionStream = (id: string): string => `update_session-${id}`;

async function activeSession(sql: Sql, id: string): Promise<SessionRow> {
  const { rows } = await query<SessionRow>(sql, 'session', [id]);
  const session = rows[0];
  if (!session) throw new Refusal(404, 'NOT_FOUND');
  if (session.state !== 'ACTIVE') throw new Refusal(400, 'NOT_ALLOWED_IN_CURRENT_STATE');
  return session;
}

async function append(
  client: PoolClient,
  actor: string,
  commandType: string,
  events: readonly NewEvent[],
): Promise<void> {
  await query(client, 'append', [
    events.map(() => randomUUID()),
    events.map((event) => event.stream),
    events.map((event) => event.type),
    events.map((event) => event.version),
    events.map((event) => event.eventType),
    events.map((event) => JSON.stringify(event.data)),
    JSON.stringify({ actor, correlationId: randomUUID(), commandType }),
  ]);
}

/** One write: authenticate, then `work` with the caller's name, in one transaction. */
function write<T>(
  header: string | string[] | undefined,
  work: (client: PoolClient, user: string) => Promise<T>,
): Promise<T> {
  return inTransaction(pool, async (client) => work(client, await authenticate(client, header)));
}

const deadline = (): Date => new Date(Date.now() + SESSION_TIMEOUT_MS);

server.post<{ Body: { library_item_id: string } }>(SESSIONS, async (request, reply) => {
  const itemId = request.body.library_item_id;
  const id = randomUUID();
  await write(request.headers['vmware-api-session-id'], async (client, user) => {
    const { rows } = await query<ItemRow>(client, 'item', [itemId]);
    const item = rows[0];
    if (!item) throw new Refusal(404, 'NOT_FOUND');
    const expiresAt = deadline();
    await append(client, user, 'CreateUpdateSession', [
      {
        stream: sessionStream(id),
        type: 'update_session',
        version: 1,
        eventType: 'UpdateSessionCreated',
        data: {
          sessionId: id,
          libraryItemId: itemId,
          libraryId: item.library_id,
          contentVersion: item.content_version,
          owner: user,
          expiresAt: expiresAt.toISOString(),
        },
      },
    ]);
    // The partial unique index refuses a second ACTIVE session of the item.
    await query(client, 'created', [
      id,
      itemId,
      item.content_version,
      user,
      expiresAt,
      item.library_id,
    ]);
  });
  return reply.status(201).type('application/json').send(JSON.stringify(id));
});

server.post<{ Params: { id: string }; Body: { name: string; source_type: string; size: number } }>(
  `${SESSIONS}/:id/file`,
  async (request) => {
    const { name, size } = request.body;
    const { id } = request.params;
    const transferId = randomUUID();
    await write(request.headers['vmware-api-session-id'], async (client, user) => {
      const session = await activeSession(client, id);
      if (session.name !== null) throw new Refusal(400, 'ALREADY_EXISTS');
      const version = session.last_stream_version + 1;
      await append(client, user, 'AddUpdateSessionFile', [
        {
          stream: sessionStream(id),
          type: 'update_session',
          version,
          eventType: 'UpdateSessionFileAdded',
          data: { sessionId: id, name, sourceType: 'PUSH', size, transferId },
        },
      ]);
      await query(client, 'fileAdded', [id, name, transferId, size, version, deadline()]);
    });
    return {
      name,
      source_type: 'PUSH',
      size,
      upload_endpoint: {
        uri: `http://${request.headers.host}/cls/data/${id}/${transferId}/${name}`,
      },
      bytes_transferred: 0,
      status: 'WAITING_FOR_TRANSFER',
      keep_in_storage: false,
    };
  },
);

const stagedPath = (transferId: string): string => join(staging, transferId);

server.put<{ Params: { id: string; transferId: string; name: string }; Body: Buffer }>(
  '/cls/data/:id/:transferId/:name',
  async (request) => {
    const { id, transferId, name } = request.params;
    const body = request.body;
    const digests = {
      sha1: createHash('sha1').update(body).digest('hex'),
      sha256: createHash('sha256').update(body).digest('hex'),
    };
    await writeFile(stagedPath(transferId), body);
    await write(request.headers['vmware-api-session-id'], async (client, user) => {
      const session = await activeSession(client, id);
      if (session.name !== name || session.transfer_id !== transferId)
        throw new Refusal(404, 'NOT_FOUND');
      if (String(body.length) !== session.declared_size) throw new Refusal(400, 'INVALID_ARGUMENT');
      const version = session.last_stream_version + 2;
      const data = { sessionId: id, name, transferId };
      await append(client, `data-plane:${user}`, 'RecordUpdateSessionFileReceived', [
        {
          stream: sessionStream(id),
          type: 'update_session',
          version: version - 1,
          eventType: 'UpdateSessionFileTransferStarted',
          data,
        },
        {
          stream: sessionStream(id),
          type: 'update_session',
          version,
          eventType: 'UpdateSessionFileReceived',
          data: { ...data, size: body.length, digests },
        },
      ]);
      await query(client, 'received', [id, name, body.length, digests, version, deadline()]);
    });
    return '';
  },
);

server.post<{ Params: { id: string }; Querystring: { action?: string } }>(
  `${SESSIONS}/:id`,
  async (request, reply) => {
    if (request.query.action !== 'complete') throw new Refusal(400, 'INVALID_ARGUMENT');
    const { id } = request.params;
    const moved = await write(request.headers['vmware-api-session-id'], async (client, user) => {
      const session = await activeSession(client, id);
      if (session.status !== 'READY') throw new Refusal(400, 'NOT_ALLOWED_IN_CURRENT_STATE');
      const { rows } = await query<ItemRow>(client, 'item', [session.library_item_id]);
      const item = rows[0]!;
      const sessionVersion = session.last_stream_version + 1;
      const itemVersion = item.last_stream_version + 1;
      const contentVersion = item.content_version + 1;
      const storageKey = `${session.library_item_id}-${contentVersion}-${session.name!}`;
      // The statement's SELECT sees the item's files as they were before it: those it replaced.
      const { rows: replaced } = await query<{ storage_key: string }>(client, 'completed', [
        id,
        sessionVersion,
        session.library_item_id,
        contentVersion,
        itemVersion,
        session.size,
        session.name,
        session.digests,
        storageKey,
      ]);
      await append(client, user, 'CompleteUpdateSession', [
        {
          stream: sessionStream(id),
          type: 'update_session',
          version: sessionVersion,
          eventType: 'UpdateSessionCompleted',
          data: { sessionId: id, libraryItemId: session.library_item_id },
        },
        {
          stream: `library_item-${session.library_item_id}`,
          type: 'library_item',
          version: itemVersion,
          eventType: 'LibraryItemContentCommitted',
          data: {
            itemId: session.library_item_id,
            sessionId: id,
            contentVersion,
            files: [
              { name: session.name, size: session.size, digests: session.digests, storageKey },
            ],
            replaced: replaced.map((row) => row.storage_key),
          },
        },
      ]);
      return { from: stagedPath(session.transfer_id!), to: join(content, storageKey) };
    });
    // After the commit, as the project moves committed files: a crash leaves it for a re-run.
    await rename(moved.from, moved.to);
    return reply.status(204).send();
  },
);

// A read opens no transaction: authentication, then the view row, each a statement of its own.
server.get<{ Params: { id: string } }>(`${SESSIONS}/:id`, async (request) => {
  await authenticate(pool, request.headers['vmware-api-session-id']);
  const { rows } = await query<SessionRow>(pool, 'session', [request.params.id]);
  const session = rows[0];
  if (!session) throw new Refusal(404, 'NOT_FOUND');
  return {
    id: session.id,
    library_item_id: session.library_item_id,
    library_item_content_version: String(session.library_item_content_version),
    client_progress: 0,
    state: session.state,
    expiration_time: session.expiration_time.toISOString(),
  };
});

runHelper(
  async () => {
    await createLogin(pool, token);
    const address = await server.listen({ port: 0, host: '127.0.0.1' });
    return Number(new URL(address).port);
  },
  () => server.close().then(() => pool.end()),
);
