import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The checkout: the nearest folder with a package.json (this file also runs compiled, from dist/). */
function repositoryRoot(from: string): string {
  let directory = from;
  while (!existsSync(join(directory, 'package.json'))) directory = dirname(directory);
  return directory;
}

const ROOT = repositoryRoot(__dirname);
export const ADMIN_USER = 'administrator@vsphere.local';
export const ADMIN_PASSWORD = 'e2e-admin-password';

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Settings shared by every process of one test deployment: one database, one Redis prefix, one storage root. */
export function deploymentEnv(
  databaseUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_PREFIX: `cls-e2e-${randomBytes(4).toString('hex')}`,
    STORAGE_ROOT: mkdtempSync(join(tmpdir(), 'cls-e2e-')),
    CLS_ADMIN_USER: ADMIN_USER,
    CLS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/**
 * How long a start may take before it counts as failed: the wait ends as soon as the process is
 * ready, so the cap can be generous for a loaded machine running many suites at once.
 */
const STARTUP_CAP_MS = 90_000;

/** A real, built service process (`dist/`), as an operator would run it. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly kind: 'api' | 'worker',
    readonly env: Record<string, string>,
    readonly port: number,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get log(): string {
    return this.output;
  }

  /** The lines it wrote that are not JSON objects (every log line should be one). */
  get linesNotJson(): string[] {
    return this.output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .filter((line) => {
        try {
          return typeof JSON.parse(line) !== 'object';
        } catch {
          return true;
        }
      });
  }

  /** Whether the process is still up: it has neither exited nor been killed. */
  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** An API process; on `port` when given (one that replaces a killed one keeps its URLs). */
  static async api(
    env: Record<string, string>,
    args: readonly string[] = [],
    port?: number,
  ): Promise<ServiceProcess> {
    const service = new ServiceProcess('api', env, port ?? (await freePort()));
    service.start(['dist/apps/api/src/main.js', ...args]);
    await service.waitUntilHealthy().catch((error: unknown) => service.abandon(error));
    return service;
  }

  static async worker(env: Record<string, string>): Promise<ServiceProcess> {
    // Readiness is read from the worker's log, so it must log at info.
    const service = new ServiceProcess('worker', { ...env, LOG_LEVEL: 'info' }, 0);
    service.start(['dist/apps/worker/src/main.js']);
    await service.waitForLog(/worker ready/).catch((error: unknown) => service.abandon(error));
    return service;
  }

  private start(args: readonly string[]): void {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child = child;
  }

  private async waitUntilHealthy(deadlineMs = STARTUP_CAP_MS): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      this.assertRunning();
      try {
        if ((await fetch(`${this.baseUrl}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.kind} did not become healthy:\n${this.output}`);
  }

  async waitForLog(pattern: RegExp, deadlineMs = STARTUP_CAP_MS): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!pattern.test(this.output)) {
      this.assertRunning();
      if (Date.now() > deadline)
        throw new Error(`${this.kind} never logged ${String(pattern)}:\n${this.output}`);
      await sleep(50);
    }
  }

  private assertRunning(): void {
    if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
      throw new Error(`${this.kind} exited with ${this.child.exitCode}:\n${this.output}`);
    }
  }

  /** A start that failed leaves no process behind: it is killed, and the failure passed on. */
  private async abandon(error: unknown): Promise<never> {
    await this.stop('SIGKILL');
    throw error;
  }

  /** SIGTERM, then wait for a clean exit; returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    // A process already gone (exited, or killed by a signal) has nothing left to stop.
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolveExit) =>
      child.once('exit', (code) => resolveExit(code)),
    );
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}
