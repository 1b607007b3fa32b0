import { Logger } from '@nestjs/common';

import type { UserDirectory } from '@cls/access';
import { generatePassword } from '@cls/access';
import type { AppConfig } from '@cls/config';

/**
 * Makes sure the bootstrap administrator exists. Without CLS_ADMIN_PASSWORD a strong password is
 * generated and printed once, on the start that creates the user; later starts keep it.
 */
export async function bootstrapAdmin(users: UserDirectory, config: AppConfig): Promise<void> {
  const configured = config.adminPassword;
  if (await users.exists(config.adminUser)) {
    if (configured !== undefined) await users.resetPasswordIfChanged(config.adminUser, configured);
    await users.update(config.adminUser, { isAdmin: true });
    return;
  }
  // Another process may create it between our check and our insert: ensureAdmin tolerates that.
  const password = configured ?? generatePassword();
  const created = await users.ensureAdmin(config.adminUser, password);
  if (created && configured === undefined) {
    const logger = new Logger('bootstrap');
    logger.warn(
      `created administrator ${config.adminUser} with generated password: ${password} (shown once; set CLS_ADMIN_PASSWORD to choose it)`,
    );
  }
}
