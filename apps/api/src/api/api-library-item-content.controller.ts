import { Controller, Get, Param, Query } from '@nestjs/common';

import type { RequestContext } from '@cls/context';
import { Ctx } from '@cls/http';
import { LibraryItemFileQueries } from '@cls/sessions';

import { itemFileToWire, itemStorageToWire } from '../wire/content-file.wire';

/** `com.vmware.content.library.item.File` and `.Storage` in the `/api` style (§3.5, §3.6). */
@Controller('api/content/library/item/:itemId')
export class ApiLibraryItemContentController {
  constructor(private readonly files: LibraryItemFileQueries) {}

  /** list, or get with `?name=`. */
  @Get('file')
  async list(
    @Ctx() context: RequestContext,
    @Param('itemId') itemId: string,
    @Query('name') name: string | undefined,
  ): Promise<unknown> {
    if (name !== undefined)
      return itemFileToWire(await this.files.get(context.caller, itemId, name));
    return (await this.files.list(context.caller, itemId)).map(itemFileToWire);
  }

  /** list, or get with `?file_name=` (a list either way, §3.6). */
  @Get('storage')
  async storage(
    @Ctx() context: RequestContext,
    @Param('itemId') itemId: string,
    @Query('file_name') fileName: string | undefined,
  ): Promise<unknown[]> {
    return (await this.files.storage(context.caller, itemId, fileName)).map(itemStorageToWire);
  }
}
