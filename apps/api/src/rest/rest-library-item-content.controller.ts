import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { z } from 'zod';

import type { RequestContext } from '@cls/context';
import { invalidArgument } from '@cls/domain';
import { allowActions, Ctx, parseBody, RestEnvelopeInterceptor, restId } from '@cls/http';
import { LibraryItemFileQueries } from '@cls/sessions';

import { itemFileToWire, itemStorageToWire } from '../wire/content-file.wire';

const fileGetBody = z.strictObject({ name: z.string() });
const storageGetBody = z.strictObject({ file_name: z.string() });

function requireItemId(itemId: string | undefined): string {
  if (!itemId) throw invalidArgument('library_item_id', 'the item is required');
  return itemId;
}

/** `com.vmware.content.library.item.File` and `.Storage` in the `/rest` style (§3.5, §3.6). */
@Controller('rest/com/vmware/content/library/item')
@UseInterceptors(RestEnvelopeInterceptor)
export class RestLibraryItemContentController {
  constructor(private readonly files: LibraryItemFileQueries) {}

  @Get('file')
  async listFiles(
    @Ctx() context: RequestContext,
    @Query('library_item_id') itemId: string | undefined,
  ): Promise<unknown[]> {
    return (await this.files.list(context.caller, requireItemId(itemId))).map(itemFileToWire);
  }

  @Post('file/:ref')
  @HttpCode(200)
  async getFile(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<unknown> {
    const itemId = restId(ref);
    allowActions(action, ['get']);
    return itemFileToWire(
      await this.files.get(context.caller, itemId, parseBody(fileGetBody, body).name),
    );
  }

  @Get('storage')
  async listStorage(
    @Ctx() context: RequestContext,
    @Query('library_item_id') itemId: string | undefined,
  ): Promise<unknown[]> {
    return (await this.files.storage(context.caller, requireItemId(itemId))).map(itemStorageToWire);
  }

  @Post('storage/:ref')
  @HttpCode(200)
  async getStorage(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<unknown[]> {
    const itemId = restId(ref);
    allowActions(action, ['get']);
    return (
      await this.files.storage(context.caller, itemId, parseBody(storageGetBody, body).file_name)
    ).map(itemStorageToWire);
  }
}
