import { Module } from '@nestjs/common';

import { LoginSessions } from './login-sessions';
import { UserDirectory } from './user-directory';

@Module({
  providers: [LoginSessions, UserDirectory],
  exports: [LoginSessions, UserDirectory],
})
export class AccessModule {}
