import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';

import { AuthenticationGuard, JsonResponseInterceptor, VapiExceptionFilter } from '@cls/http';
import { SessionsModule } from '@cls/sessions';

import { ApiLibraryItemContentController } from './api/api-library-item-content.controller';
import { ApiLibraryItemController } from './api/api-library-item.controller';
import { ApiLibraryController } from './api/api-library.controller';
import { ApiLoginController } from './api/api-login.controller';
import { ApiUpdateSessionFileController } from './api/api-update-session-file.controller';
import { ApiUpdateSessionController } from './api/api-update-session.controller';
import { UsersController } from './cls/users.controller';
import { UploadController } from './data/upload.controller';
import { LoginService } from './login.service';
import { DatastoreController } from './ops/datastore.controller';
import { HealthController } from './ops/health.controller';
import { RestLibraryItemContentController } from './rest/rest-library-item-content.controller';
import { RestLibraryItemController } from './rest/rest-library-item.controller';
import { RestLibraryController } from './rest/rest-library.controller';
import { RestLoginController } from './rest/rest-login.controller';
import { RestUpdateSessionFileController } from './rest/rest-update-session-file.controller';
import { RestUpdateSessionController } from './rest/rest-update-session.controller';

/** HTTP in, commands and views out: both REST styles over the same application layer. */
@Module({
  imports: [SessionsModule],
  controllers: [
    HealthController,
    RestLoginController,
    RestLibraryController,
    RestLibraryItemController,
    RestUpdateSessionController,
    RestUpdateSessionFileController,
    RestLibraryItemContentController,
    ApiLoginController,
    ApiLibraryController,
    ApiLibraryItemController,
    ApiUpdateSessionController,
    ApiUpdateSessionFileController,
    ApiLibraryItemContentController,
    UploadController,
    DatastoreController,
    UsersController,
  ],
  providers: [
    LoginService,
    AuthenticationGuard,
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
    { provide: APP_FILTER, useClass: VapiExceptionFilter },
    { provide: APP_INTERCEPTOR, useClass: JsonResponseInterceptor },
  ],
})
export class ApiModule {}
