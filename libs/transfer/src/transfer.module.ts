import { Module } from '@nestjs/common';

import { ContentStorage } from './content-storage';
import { DataPlaneTokens } from './data-plane-tokens';
import { DownloadActivity } from './download-activity';
import { HashWorkerPool } from './hash-worker-pool';
import { StagingWriter } from './staging-writer';
import { UploadActivity } from './upload-activity';

const TRANSFER_SERVICES = [
  ContentStorage,
  DataPlaneTokens,
  DownloadActivity,
  HashWorkerPool,
  StagingWriter,
  UploadActivity,
];

/** The data plane's infrastructure: where bytes are staged and stored, digested and metered. */
@Module({ providers: TRANSFER_SERVICES, exports: TRANSFER_SERVICES })
export class TransferModule {}
