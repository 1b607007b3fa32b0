import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface ChildServer {
  readonly pid: number;
  readonly port: number;
  /** Lines the server printed but its port, oldest first. */
  readonly lines: readonly string[];
  stop(): Promise<void>;
}

/**
 * Runs one of the bench's helper servers (a compiled script next to this file) in its own
 * process, so its CPU is not shared with the bench client's. The script prints its port on a line
 * of its own.
 */
export async function startChildServer(
  script: string,
  args: readonly string[],
): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [resolve(__dirname, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let announced = false;
  const port = await new Promise<number>((resolvePort, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // A server that logs may print lines before its port.
      if (!announced && /^\d+$/.test(line)) {
        announced = true;
        resolvePort(Number(line));
      } else lines.push(line);
    });
  });
  return {
    pid: child.pid!,
    port,
    lines,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
      child.kill('SIGTERM');
      // A connection the server still waits on must not hang the bench's clean-up.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
