import { loadConfig } from '@cls/config';

import { migrate } from './migrate';

/** `npm run migrate`: apply pending migrations and exit. */
async function main(): Promise<void> {
  const config = loadConfig();
  const applied = await migrate(config.databaseUrl);
  process.stdout.write(
    applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
