import type { CliContext } from './cli-context';

/** Exit codes: 0 done, 1 done but something needs attention (views differ, not found), 2 bad usage. */
export const EXIT = { ok: 0, attention: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliCommand {
  /** One line: the command and its arguments. */
  readonly usage: string;
  readonly summary: string;
  /** Parses its own arguments (after the command name) and runs. */
  run(argv: readonly string[], context: CliContext): Promise<ExitCode>;
}

/** A mistake in the arguments: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
