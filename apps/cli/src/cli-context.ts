import type { DataSource } from 'typeorm';

import type { AppConfig } from '@cls/config';
import { createDataSource } from '@cls/database';

/** What a command may use: the configuration, its output, and a database opened on first use. */
export class CliContext {
  private opened: Promise<DataSource> | undefined;

  constructor(
    readonly config: AppConfig,
    private readonly stdout: NodeJS.WritableStream,
    private readonly stderr: NodeJS.WritableStream,
  ) {}

  dataSource(): Promise<DataSource> {
    this.opened ??= createDataSource({
      url: this.config.databaseUrl,
      poolSize: 4,
      applicationName: 'cls-cli',
    }).initialize();
    return this.opened;
  }

  print(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /** Progress and complaints: stderr, so `--json` output stays parseable. */
  warn(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  async close(): Promise<void> {
    const dataSource = await this.opened?.catch(() => undefined);
    if (dataSource?.isInitialized) await dataSource.destroy();
  }
}
