import 'reflect-metadata';

import { loadConfig } from '@cls/config';

import type { CliCommand } from './cli-command';
import { EXIT, UsageError } from './cli-command';
import { CliContext } from './cli-context';
import { historyCommand } from './commands/history.command';
import { queuesCommand } from './commands/queues.command';
import { rebuildCommand } from './commands/rebuild.command';
import { sessionCommand, sessionsCommand } from './commands/sessions.command';

/** The operator's commands (`npm run cls -- <command>`). */
const COMMANDS: Readonly<Record<string, CliCommand>> = {
  rebuild: rebuildCommand,
  sessions: sessionsCommand,
  session: sessionCommand,
  history: historyCommand,
  queues: queuesCommand,
};

function usage(): string {
  const lines = Object.values(COMMANDS).map(
    (command) => `  ${command.usage}\n      ${command.summary}`,
  );
  return [
    'usage: npm run cls -- <command> [options]',
    '',
    ...lines,
    '',
    'Tables by default, --json for scripts. DATABASE_URL, REDIS_URL and REDIS_PREFIX as for the service.',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${usage()}\n`);
    return EXIT.usage;
  }
  const context = new CliContext(loadConfig(), process.stdout, process.stderr);
  try {
    return await command.run(rest, context);
  } catch (error) {
    // parseArgs reports unknown or malformed options with these codes.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      context.warn(`${(error as Error).message}\nusage: npm run cls -- ${command.usage}`);
      return EXIT.usage;
    }
    throw error;
  } finally {
    await context.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Operators get the message (a bad setting, a rebuild already running), not a stack.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
