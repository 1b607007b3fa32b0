import 'reflect-metadata';

import { Logger } from '@nestjs/common';

import { UserDirectory } from '@cls/access';
import {
  closeOnSignals,
  ConfigError,
  loadConfig,
  tuneGarbageCollectorForStreaming,
} from '@cls/config';
import { migrateOnStart } from '@cls/database';
import { createLogger, logUnhandled } from '@cls/observability';

import { createApiApplication } from './api-application';
import { bootstrapAdmin } from './bootstrap-admin';
import { HttpsListener } from './tls/https-listener';
import { loadTlsIdentity } from './tls/tls-identity';

/**
 * `node main.js` serves the API; `--with-workers` also runs every worker role in this process
 * (what `npm start` does). Migrations are applied first; concurrent starts take turns.
 */
async function main(): Promise<void> {
  tuneGarbageCollectorForStreaming();
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  logUnhandled(logger);
  // Lines logged before Nest takes the logger over (a failing migration) are JSON too.
  Logger.overrideLogger(logger);
  const withWorkers = process.argv.includes('--with-workers');
  await migrateOnStart(config.databaseUrl);

  const tls = config.https && (await loadTlsIdentity(config.https, config.storageRoot));
  const httpsListener = tls && new HttpsListener(tls);
  const app = await createApiApplication(config, {
    logger,
    withWorkers,
    ...(httpsListener ? { serverFactory: httpsListener.serverFactory } : {}),
  });
  const fastify = app.getHttpAdapter().getInstance();
  if (httpsListener) fastify.addHook('onClose', () => httpsListener.close());
  closeOnSignals(app, logger, config.shutdownGraceSeconds, () => {
    fastify.server.closeAllConnections();
    httpsListener?.closeAllConnections();
  });
  await app.init();
  await bootstrapAdmin(app.get(UserDirectory), config);
  await app.listen(config.port, config.host);
  logger.log(
    `listening on ${await app.getUrl()}${withWorkers ? ' with all worker roles' : ''}`,
    'bootstrap',
  );
  if (config.https && httpsListener && tls) {
    const port = await httpsListener.listen(config.https.port, config.host);
    logger.log(
      `listening on https port ${port}, certificate SHA-256 ${tls.thumbprint}` +
        (tls.generated ? ' (self-signed, generated now and kept)' : ''),
      'bootstrap',
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    new Logger('bootstrap').fatal(
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  }
  process.exit(1);
});
