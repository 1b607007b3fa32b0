import { Controller, Get, Inject, UseInterceptors } from '@nestjs/common';

import { requirePrivilege } from '@cls/access';
import type { AppConfig, Datastore } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import type { RequestContext } from '@cls/context';
import { Ctx, RestEnvelopeInterceptor } from '@cls/http';

import { datastoreSpace } from './datastore-space';

interface DatastoreSummary {
  datastore: string;
  name: string;
  type: string;
  free_space: number;
  capacity: number;
}

async function summarize(datastore: Datastore): Promise<DatastoreSummary> {
  const space = await datastoreSpace(datastore);
  return {
    datastore: datastore.id,
    name: datastore.id,
    type: 'OTHER',
    free_space: space.freeSpace,
    capacity: space.capacity,
  };
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
