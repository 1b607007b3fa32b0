import type { AppConfig } from './app-config';

/**
 * Crash tests need the process to die at an exact point (between moving files and committing,
 * say), which an outside SIGKILL cannot hit reliably. Listed in CLS_FAILPOINTS, a point kills the
 * process there with SIGKILL: no cleanup, no flush, like a power cut. Unset, it does nothing.
 */
export function failpoint(config: AppConfig, name: string): void {
  if (config.failpoints.includes(name)) process.kill(process.pid, 'SIGKILL');
}
