import { execFile, spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

import { freePort } from './service-process';

const run = promisify(execFile);

/**
 * Postgres refuses to run as root: then initdb and pg_ctl run as the `postgres` OS user, who owns
 * the cluster's folder.
 */
const AS_ROOT = process.getuid?.() === 0;
const CLUSTER_OWNER = 'postgres';

function asClusterOwner(binary: string, args: readonly string[]): Promise<unknown> {
  return AS_ROOT
    ? run('runuser', ['-u', CLUSTER_OWNER, '--', binary, ...args])
    : run(binary, [...args]);
}

/** The binaries of the newest major version installed the Debian way, as on this machine. */
async function postgresBinaries(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql').catch(() => []))
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error('no Postgres under /usr/lib/postgresql');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

/** A `key = 'value'` line of postgresql.conf. */
function settingLine([key, value]: [string, string]): string {
  return `${key} = '${value.replaceAll("'", "''")}'\n`;
}

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>`: append `/<database>`. */
  readonly url: string;
  readonly port: number;
  readonly dataDirectory: string;
  /** The postmaster: every process of the cluster is it or one of its children. */
  readonly pid: number;
  /** Stops the server as an outage would, keeping its data; `start` brings it back on its port. */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster and deletes it. */
  stop(): Promise<void>;
}

/**
 * A Postgres cluster of its own on a free port, for a bench or a fault test that must count,
 * configure or kill its server without touching the machine's shared one. Durability settings keep
 * their defaults (only initdb skips its fsync), so its costs are a real server's. `settings` go to
 * postgresql.conf, e.g. `shared_preload_libraries`.
 */
export async function startPrivatePostgres(
  options: { readonly settings?: Readonly<Record<string, string>> } = {},
): Promise<PrivatePostgres> {
  const binaries = await postgresBinaries();
  const dataDirectory = await mkdtemp(join(tmpdir(), 'cls-postgres-'));
  const log = join(dataDirectory, 'server.log');
  const pgCtl = (...args: string[]) =>
    asClusterOwner(join(binaries, 'pg_ctl'), ['-D', dataDirectory, ...args]);
  const port = await freePort();
  try {
    if (AS_ROOT) await run('chown', [`${CLUSTER_OWNER}:`, dataDirectory]);
    await asClusterOwner(join(binaries, 'initdb'), [
      '-D',
      dataDirectory,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const settings = {
      port: String(port),
      listen_addresses: '127.0.0.1',
      // Its socket in its own folder: the shared server's socket directory is not ours to use.
      unix_socket_directories: dataDirectory,
      ...options.settings,
    };
    await appendFile(
      join(dataDirectory, 'postgresql.conf'),
      Object.entries(settings).map(settingLine).join(''),
    );
    await pgCtl('-l', log, '-w', 'start');
  } catch (error) {
    const serverLog = await readFile(log, 'utf8').catch(() => '');
    await rm(dataDirectory, { recursive: true, force: true });
    throw new Error(
      `private Postgres did not start: ${error instanceof Error ? error.message : String(error)}\n${serverLog}`,
    );
  }
  const postmaster = async (): Promise<number> =>
    Number((await readFile(join(dataDirectory, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  let pid = await postmaster();
  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://postgres@127.0.0.1:${port}`,
    port,
    dataDirectory,
    get pid() {
      return pid;
    },
    async halt() {
      await pgCtl('-m', 'fast', '-w', 'stop');
    },
    async start() {
      await pgCtl('-l', log, '-w', 'start');
      pid = await postmaster();
    },
    stop() {
      // A halted server has nothing left to stop: its folder goes all the same.
      stopped ??= pgCtl('-m', 'fast', '-w', 'stop')
        .catch(() => undefined)
        .then(() => rm(dataDirectory, { recursive: true, force: true }));
      return stopped;
    },
  };
}

export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Kills the server and starts a new one on the same port: every key is lost. */
  restartEmpty(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface RedisChild {
  readonly pid: number;
  stop(): Promise<void>;
}

/** A redis-server without persistence on `port`, once it accepts connections. */
async function spawnRedis(port: number): Promise<RedisChild> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  let ready = false;
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => resolveExit(code)),
  );
  const started = new Promise<void>((resolveReady, reject) => {
    // The log is read (and dropped) after start-up too: a full pipe would stall the server.
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (ready) return;
      output.push(line);
      ready = line.includes('Ready to accept connections');
      if (ready) resolveReady();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (!ready) output.push(chunk.toString());
    });
    child.once('error', reject);
    void exited.then((code) =>
      reject(new Error(`redis-server exited with ${code}:\n${output.join('\n')}`)),
    );
  });
  // A server that is not ready in time is killed, which rejects with what it printed.
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    await started;
  } finally {
    clearTimeout(timeout);
  }
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** A Redis of its own on a free port, without persistence, as a child of this process. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let server = await spawnRedis(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return server.pid;
    },
    async restartEmpty(downMs = 1_000) {
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await spawnRedis(port);
    },
    stop: () => server.stop(),
  };
}
