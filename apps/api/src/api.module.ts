import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';

import { AuthenticationGuard, JsonResponseInterceptor, VapiExceptionFilter } from '@cls/http';
import { QueuesModule } from '@cls/jobs';
import { SessionsModule } from '@cls/sessions';

import { ApiDownloadSessionFileController } from './api/api-download-session-file.controller';
import { ApiDownloadSessionController } from './api/api-download-session.controller';
import { ApiLibraryItemContentController } from './api/api-library-item-content.controller';
import { ApiLibraryItemController } from './api/api-library-item.controller';
import { ApiLibraryController } from './api/api-library.controller';
import { ApiLoginController } from './api/api-login.controller';
import { ApiUpdateSessionFileController } from './api/api-update-session-file.controller';
import { ApiUpdateSessionController } from './api/api-update-session.controller';
import { EventHistoryController } from './cls/event-history.controller';
import { LiveProgressController } from './cls/live-progress.controller';
import { UsersController } from './cls/users.controller';
import { DownloadController } from './data/download.controller';
import { UploadController } from './data/upload.controller';
import { LoginThrottle } from './login-throttle';
import { LoginService } from './login.service';
import { AdminGate } from './ops/admin-gate';
import { ContentTypeController } from './ops/content-type.controller';
import { DatastoreController } from './ops/datastore.controller';
import { HealthController } from './ops/health.controller';
import { MetricsController } from './ops/metrics.controller';
import { RestDownloadSessionFileController } from './rest/rest-download-session-file.controller';
import { RestDownloadSessionController } from './rest/rest-download-session.controller';
import { RestLibraryItemContentController } from './rest/rest-library-item-content.controller';
import { RestLibraryItemController } from './rest/rest-library-item.controller';
import { RestLibraryController } from './rest/rest-library.controller';
import { RestLoginController } from './rest/rest-login.controller';
import { RestUpdateSessionFileController } from './rest/rest-update-session-file.controller';
import { RestUpdateSessionController } from './rest/rest-update-session.controller';

/** HTTP in, commands and views out: both REST styles over the same application layer. */
import { SdkController } from './soap/sdk.controller';
import { SessionLiveFeed } from './live/session-live-feed';
import { StreamNotifications } from './live/stream-notifications';

@Module({
  imports: [SessionsModule, QueuesModule],
  controllers: [
    HealthController,
    MetricsController,
    RestLoginController,
    RestLibraryController,
    RestLibraryItemController,
    RestUpdateSessionController,
    RestDownloadSessionController,
    RestDownloadSessionFileController,
    RestUpdateSessionFileController,
    RestLibraryItemContentController,
    ApiLoginController,
    ApiLibraryController,
    ApiLibraryItemController,
    ApiUpdateSessionController,
    ApiDownloadSessionController,
    ApiDownloadSessionFileController,
    ApiUpdateSessionFileController,
    ApiLibraryItemContentController,
    UploadController,
    DownloadController,
    DatastoreController,
    ContentTypeController,
    UsersController,
    EventHistoryController,
    LiveProgressController,
    SdkController,
  ],
  providers: [
    LoginService,
    LoginThrottle,
    StreamNotifications,
    SessionLiveFeed,
    AdminGate,
    AuthenticationGuard,
    { provide: APP_GUARD, useExisting: AuthenticationGuard },
    { provide: APP_FILTER, useClass: VapiExceptionFilter },
    { provide: APP_INTERCEPTOR, useClass: JsonResponseInterceptor },
  ],
})
export class ApiModule {}
