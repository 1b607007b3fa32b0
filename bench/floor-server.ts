import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { PoolClient } from 'pg';
import { Pool } from 'pg';

import {
  authenticate,
  createLogin,
  floorServer,
  inTransaction,
  namedQuery,
  Refusal,
  runHelper,
  SESSION_TIMEOUT_MS,
  SESSIONS,
} from './floor-kit';

/**
 * The control plane's floor: the least a fastify + pg server can do for the bench's session loop
 * with the same answers. Every call authenticates by the login header (the bench client sends it
 * on the PUT too) and every write is one transaction: authentication, the session's state, the
 * event, the view row. Statements are named, so each connection prepares them once.
 * Arguments: database URL (the database exists and is empty), upload folder, the login token.
 */
const [databaseUrl, uploads, token] = process.argv.slice(2) as [string, string, string];

const SCHEMA = `
  CREATE TABLE event (
    position bigserial PRIMARY KEY,
    stream_id uuid NOT NULL,
    version integer NOT NULL,
    type text NOT NULL,
    data jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, version)
  );
  CREATE TABLE session_view (
    id uuid PRIMARY KEY,
    item_id text NOT NULL,
    state text NOT NULL,
    version integer NOT NULL,
    file_name text,
    file_size bigint,
    bytes_transferred bigint NOT NULL,
    expires_at timestamptz NOT NULL
  );
  CREATE UNIQUE INDEX one_active_session_per_item ON session_view (item_id) WHERE state = 'ACTIVE'`;

const STATEMENTS = {
  activeOfItem: "SELECT id FROM session_view WHERE item_id = $1 AND state = 'ACTIVE'",
  session:
    'SELECT id, item_id, state, version, file_name, file_size, bytes_transferred, expires_at FROM session_view WHERE id = $1',
  append: 'INSERT INTO event (stream_id, version, type, data) VALUES ($1, $2, $3, $4)',
  saveView: `INSERT INTO session_view
      (id, item_id, state, version, file_name, file_size, bytes_transferred, expires_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, version = EXCLUDED.version,
      file_name = EXCLUDED.file_name, file_size = EXCLUDED.file_size,
      bytes_transferred = EXCLUDED.bytes_transferred, expires_at = EXCLUDED.expires_at`,
} as const;

interface SessionRow {
  readonly id: string;
  readonly item_id: string;
  readonly state: string;
  readonly version: number;
  readonly file_name: string | null;
  readonly file_size: string | null;
  readonly bytes_transferred: string;
  readonly expires_at: Date;
}

const pool = new Pool({ connectionString: databaseUrl, max: 20 });

const query = namedQuery(STATEMENTS);

async function activeSession(client: PoolClient, id: string): Promise<SessionRow> {
  const { rows } = await query<SessionRow>(client, 'session', [id]);
  const session = rows[0];
  if (!session) throw new Refusal(404, 'NOT_FOUND');
  if (session.state !== 'ACTIVE') throw new Refusal(400, 'NOT_ALLOWED_IN_CURRENT_STATE');
  return session;
}

/** One write: authenticate, `decide` from the state it reads, append its event, save the view. */
function write(
  header: string | string[] | undefined,
  decide: (client: PoolClient) => Promise<{ type: string; data: object; view: SessionRow }>,
): Promise<SessionRow> {
  return inTransaction(pool, async (client) => {
    await authenticate(client, header);
    const { type, data, view } = await decide(client);
    await query(client, 'append', [view.id, view.version, type, data]);
    await query(client, 'saveView', [
      view.id,
      view.item_id,
      view.state,
      view.version,
      view.file_name,
      view.file_size,
      view.bytes_transferred,
      view.expires_at,
    ]);
    return view;
  });
}

const server = floorServer();

server.post<{ Body: { library_item_id: string } }>(SESSIONS, async (request, reply) => {
  const itemId = request.body.library_item_id;
  const view = await write(request.headers['vmware-api-session-id'], async (client) => {
    const { rowCount } = await query(client, 'activeOfItem', [itemId]);
    if (rowCount !== 0) throw new Refusal(400, 'RESOURCE_BUSY');
    const expiresAt = new Date(Date.now() + SESSION_TIMEOUT_MS);
    return {
      type: 'UpdateSessionCreated',
      data: { libraryItemId: itemId, expiresAt },
      view: {
        id: randomUUID(),
        item_id: itemId,
        state: 'ACTIVE',
        version: 1,
        file_name: null,
        file_size: null,
        bytes_transferred: '0',
        expires_at: expiresAt,
      },
    };
  });
  return reply.status(201).type('application/json').send(JSON.stringify(view.id));
});

server.post<{ Params: { id: string }; Body: { name: string; source_type: string; size: number } }>(
  `${SESSIONS}/:id/file`,
  async (request) => {
    const { name, size } = request.body;
    const view = await write(request.headers['vmware-api-session-id'], async (client) => {
      const session = await activeSession(client, request.params.id);
      return {
        type: 'UpdateSessionFileAdded',
        data: { name, sourceType: 'PUSH', size },
        view: {
          ...session,
          version: session.version + 1,
          file_name: name,
          file_size: String(size),
        },
      };
    });
    return {
      name,
      source_type: 'PUSH',
      size,
      upload_endpoint: { uri: `http://${request.headers.host}/cls/data/${view.id}/${name}` },
      bytes_transferred: 0,
      status: 'WAITING_FOR_TRANSFER',
      keep_in_storage: false,
    };
  },
);

server.put<{ Params: { id: string; name: string }; Body: Buffer }>(
  '/cls/data/:id/:name',
  async (request) => {
    const { id, name } = request.params;
    await writeFile(join(uploads, `${id}-${name}`), request.body);
    await write(request.headers['vmware-api-session-id'], async (client) => {
      const session = await activeSession(client, id);
      if (session.file_name !== name) throw new Refusal(404, 'NOT_FOUND');
      return {
        type: 'UpdateSessionFileReceived',
        data: { name, bytes: request.body.length },
        view: {
          ...session,
          version: session.version + 1,
          bytes_transferred: String(request.body.length),
        },
      };
    });
    return '';
  },
);

server.post<{ Params: { id: string }; Querystring: { action?: string } }>(
  `${SESSIONS}/:id`,
  async (request, reply) => {
    if (request.query.action !== 'complete') throw new Refusal(400, 'INVALID_ARGUMENT');
    await write(request.headers['vmware-api-session-id'], async (client) => {
      const session = await activeSession(client, request.params.id);
      if (session.bytes_transferred !== session.file_size)
        throw new Refusal(400, 'NOT_ALLOWED_IN_CURRENT_STATE');
      return {
        type: 'UpdateSessionCompleted',
        data: {},
        view: { ...session, version: session.version + 1, state: 'DONE' },
      };
    });
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
    library_item_id: session.item_id,
    library_item_content_version: '1',
    client_progress: 0,
    state: session.state,
    expiration_time: session.expires_at.toISOString(),
  };
});

runHelper(
  async () => {
    await pool.query(SCHEMA);
    await createLogin(pool, token);
    const address = await server.listen({ port: 0, host: '127.0.0.1' });
    return Number(new URL(address).port);
  },
  () => server.close().then(() => pool.end()),
);
