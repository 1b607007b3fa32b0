import { EventStore1763900000000 } from './1763900000000-event-store';
import { ReadModels1763900000001 } from './1763900000001-read-models';
import { Access1763900000002 } from './1763900000002-access';
import { ContentFiles1763900000003 } from './1763900000003-content-files';
import { WorkerFleet1763900000004 } from './1763900000004-worker-fleet';
import { DownloadSessions1763900000005 } from './1763900000005-download-sessions';
import { Audit1763900000006 } from './1763900000006-audit';
import { PullSourceSecrets1763900000007 } from './1763900000007-pull-source-secrets';
import { LoginChangeNotifications1763900000008 } from './1763900000008-login-change-notifications';

/** Every migration in order; listed explicitly so the built service never depends on file globs. */
export const MIGRATIONS = [
  EventStore1763900000000,
  ReadModels1763900000001,
  Access1763900000002,
  ContentFiles1763900000003,
  WorkerFleet1763900000004,
  DownloadSessions1763900000005,
  Audit1763900000006,
  PullSourceSecrets1763900000007,
  LoginChangeNotifications1763900000008,
];
