import { Logger } from '@nestjs/common';

import type { UserDirectory } from '@cls/access';
import { generatePassword } from '@cls/access';
import type { AppConfig } from '@cls/config';

/**
 * Makes sure the bootstrap administrator exists. Without CLS_ADMIN_PASSWORD a strong password is
 * generated and printed once, on the start that creates the user; later starts keep it.
 */
export async function bootstrapAdmin(users: UserDirectory, config: AppConfig): Promise<void> {
  const logger = new Logger('bootstrap');
  if (config.adminPassword !== undefined) {
    const created = await users.ensureAdmin(config.adminUser, config.adminPassword);
    if (!created) await users.resetPasswordIfChanged(config.adminUser, config.adminPassword);
    return;
  }
  const password = generatePassword();
  if (await users.ensureAdmin(config.adminUser, password)) {
    logger.warn(
      `created administrator ${config.adminUser} with generated password: ${password} (shown once; set CLS_ADMIN_PASSWORD to choose it)`,
    );
  }
}
