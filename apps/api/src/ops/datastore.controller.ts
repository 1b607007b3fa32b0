import { statfs } from 'node:fs/promises';

import { Controller, Get, Inject, UseInterceptors } from '@nestjs/common';

import { requirePrivilege } from '@cls/access';
import type { AppConfig, Datastore } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { Ctx, RestEnvelopeInterceptor } from '@cls/http';
import type { RequestContext } from '@cls/sessions';

interface DatastoreSummary {
  datastore: string;
  name: string;
  type: string;
  free_space?: number;
  capacity?: number;
}

async function summarize(datastore: Datastore): Promise<DatastoreSummary> {
  const base = { datastore: datastore.id, name: datastore.id, type: 'OTHER' };
  try {
    const stats = await statfs(datastore.path);
    return {
      ...base,
      free_space: stats.bavail * stats.bsize,
      capacity: stats.blocks * stats.bsize,
    };
  } catch {
    // The folder is created with the first library; until then its size is unknown.
    return base;
  }
}

/** The configured datastores, so clients can pick one for a DATASTORE backing. */
@Controller()
export class DatastoreController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('api/vcenter/datastore')
  list(@Ctx() context: RequestContext): Promise<DatastoreSummary[]> {
    requirePrivilege(context.caller, 'System.Read', { kind: 'global' });
    return Promise.all(this.config.datastores.map(summarize));
  }

  @Get('rest/vcenter/datastore')
  @UseInterceptors(RestEnvelopeInterceptor)
  listRest(@Ctx() context: RequestContext): Promise<DatastoreSummary[]> {
    return this.list(context);
  }
}
