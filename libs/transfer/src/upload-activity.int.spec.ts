import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import { loadConfig } from '@cls/config';
import { Metrics } from '@cls/observability';
import type { TestDatabase } from '@cls/testing';
import { createTestDatabase, eventually } from '@cls/testing';

import { UploadActivity } from './upload-activity';

const config = loadConfig({ SESSION_TIMEOUT_SECONDS: '300', LOGIN_IDLE_TIMEOUT_SECONDS: '1800' });
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000);

/** A running upload's activity, as the upload endpoint reports it, on the real tables. */
describe('UploadActivity (real Postgres)', () => {
  let database: TestDatabase;
  let db: DataSource;
  let activity: UploadActivity;

  beforeAll(async () => {
    database = await createTestDatabase('upload_activity');
    db = await database.open();
    activity = new UploadActivity(db, config, new Metrics());
  });

  afterAll(() => database.drop());

  async function uploader(logins: Record<string, Date>): Promise<string> {
    const name = `uploader-${randomUUID()}`;
    await db.query('INSERT INTO cls_user (name, password_hash, is_admin) VALUES ($1, $2, false)', [
      name,
      'unused',
    ]);
    for (const [token, lastAccessed] of Object.entries(logins)) {
      await db.query(
        'INSERT INTO api_session (token_hash, user_name, created_time, last_accessed_time) VALUES ($1, $2, $3, $3)',
        [`${name}-${token}`, name, lastAccessed],
      );
    }
    return name;
  }

  async function session(owner: string, expiresAt: Date): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO update_session_view (id, library_item_id, library_item_content_version, owner, state,
                                        client_progress, expiration_time, warning_behavior, creation_time, last_stream_version)
       VALUES ($1, $2, 1, $3, 'ACTIVE', 0, $4, '[]', now(), 1)`,
      [id, randomUUID(), owner, expiresAt],
    );
    return id;
  }

  const expiration = async (id: string) =>
    (
      await db.query<{ expiration_time: Date }[]>(
        'SELECT expiration_time FROM update_session_view WHERE id = $1',
        [id],
      )
    )[0]!.expiration_time.getTime();

  const lastAccessed = async (owner: string) =>
    Object.fromEntries(
      (
        await db.query<{ token_hash: string; last_accessed_time: Date }[]>(
          'SELECT token_hash, last_accessed_time FROM api_session WHERE user_name = $1',
          [owner],
        )
      ).map((row) => [row.token_hash.slice(owner.length + 1), row.last_accessed_time.getTime()]),
    );

  it("moves the session's expiry and refreshes the uploader's idle logins, not fresh or expired ones", async () => {
    const logins = {
      idle: secondsAgo(60),
      fresh: secondsAgo(1),
      expired: secondsAgo(config.loginIdleTimeoutSeconds + 60),
    };
    const owner = await uploader(logins);
    const id = await session(owner, secondsAgo(-10));
    const startedAt = Date.now();

    // A deadline 10 s off is within two write intervals: the first chunk writes at once.
    activity.tracker(
      { sessionId: id, owner, expiresAt: secondsAgo(-10).toISOString() },
      'upload',
    )(1);

    await eventually(
      () => expiration(id),
      (expiresAt) => expiresAt >= startedAt + config.sessionTimeoutSeconds * 1000,
      { what: 'the session expiry moved by the timeout' },
    );
    const after = await lastAccessed(owner);
    expect(after.idle).toBeGreaterThanOrEqual(startedAt);
    expect(after.fresh).toBe(logins.fresh.getTime());
    expect(after.expired).toBe(logins.expired.getTime());
  });
});
