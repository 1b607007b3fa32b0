import { Controller, Get, UseInterceptors } from '@nestjs/common';

import { requirePrivilege } from '@cls/access';
import type { RequestContext } from '@cls/context';
import { Ctx, RestEnvelopeInterceptor } from '@cls/http';

/** `com.vmware.content.Type.Info`: a type adapter this server has. */
interface ContentTypeInfo {
  type: string;
  name: string;
  description: string;
  vendor: string;
  version: string;
}

/** The OVF adapter is the one type adapter: other items' files are stored as they come. */
const CONTENT_TYPES: readonly ContentTypeInfo[] = [
  {
    type: 'ovf',
    name: 'OVF',
    description:
      'OVF packages: every file the descriptor references is required, manifest digests are checked, an uploaded OVA is unpacked.',
    vendor: 'VMware, Inc.',
    version: '1.0.0',
  },
];

/** `com.vmware.content.Type` (contract §3.7): which type adapters exist, in both styles. */
@Controller()
export class ContentTypeController {
  @Get('api/content/type')
  list(@Ctx() context: RequestContext): readonly ContentTypeInfo[] {
    requirePrivilege(context.caller, 'ContentLibrary.TypeIntrospection', { kind: 'global' });
    return CONTENT_TYPES;
  }

  @Get('rest/com/vmware/content/type')
  @UseInterceptors(RestEnvelopeInterceptor)
  listRest(@Ctx() context: RequestContext): readonly ContentTypeInfo[] {
    return this.list(context);
  }
}
