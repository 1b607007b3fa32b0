import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Restarts of the machine's own Postgres and Redis, for the fault tests only: they run alone
 * (`npm run test:faults`, in band) because every other test shares these servers.
 */
function run(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, [...args], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in time`);
    await sleep(200);
  }
}

const redisUp = () => run('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping']);
const postgresUp = () => run('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q']);
const postgresVersion = () => readdirSync('/etc/postgresql')[0]!;

/** Stops Redis without saving (what CI runs has no persistence: every key is lost), then starts it. */
export async function restartRedisLosingData(downMs = 1_000): Promise<void> {
  run('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'shutdown', 'nosave']);
  await until(() => !redisUp(), 'redis stop');
  await sleep(downMs);
  run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await until(redisUp, 'redis start');
}

export async function stopPostgres(): Promise<void> {
  run('pg_ctlcluster', [
    '--skip-systemctl-redirect',
    postgresVersion(),
    'main',
    'stop',
    '-m',
    'fast',
  ]);
  await until(() => !postgresUp(), 'postgres stop');
}

export async function startPostgres(): Promise<void> {
  run('pg_ctlcluster', ['--skip-systemctl-redirect', postgresVersion(), 'main', 'start']);
  await until(postgresUp, 'postgres start');
}
