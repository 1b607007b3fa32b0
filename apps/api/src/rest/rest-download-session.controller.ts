import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { z } from 'zod';

import type { RequestContext } from '@cls/context';
import {
  allowActions,
  Ctx,
  parseBody,
  RestEnvelopeInterceptor,
  restId,
  unknownAction,
} from '@cls/http';
import {
  CreateDownloadSessionCommand,
  DownloadSessionQueries,
  OperateDownloadSessionCommand,
} from '@cls/sessions';

import {
  createDownloadSessionInputFrom,
  downloadSessionActionOperation,
  downloadSessionCreateSpec,
  downloadSessionToWire,
  isDownloadSessionAction,
} from '../wire/download-session.wire';

const createBody = z.strictObject({
  create_spec: downloadSessionCreateSpec,
  client_token: z.string().optional(),
});

/** `com.vmware.content.library.item.DownloadSession` in the `/rest` style (§6.2). */
@Controller('rest/com/vmware/content/library/item/download-session')
@UseInterceptors(RestEnvelopeInterceptor)
export class RestDownloadSessionController {
  constructor(
    private readonly commands: CommandBus,
    private readonly sessions: DownloadSessionQueries,
  ) {}

  @Post()
  @HttpCode(200)
  async create(
    @Ctx() context: RequestContext,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<string> {
    allowActions(action, [undefined, 'create']);
    const { create_spec, client_token } = parseBody(createBody, body);
    return this.commands.execute(
      new CreateDownloadSessionCommand(
        context,
        createDownloadSessionInputFrom(create_spec, client_token),
      ),
    );
  }

  @Get()
  list(
    @Ctx() context: RequestContext,
    @Query('library_item_id') libraryItemId: string | undefined,
  ): Promise<string[]> {
    return this.sessions.listIds(context.caller, libraryItemId || undefined);
  }

  @Get(':ref')
  async get(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
  ): Promise<Record<string, unknown>> {
    return downloadSessionToWire(await this.sessions.get(context.caller, restId(ref)));
  }

  @Post(':ref')
  @HttpCode(200)
  async act(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<void> {
    if (!isDownloadSessionAction(action)) throw unknownAction(action);
    await this.commands.execute(
      new OperateDownloadSessionCommand(
        context,
        restId(ref),
        downloadSessionActionOperation(action, body),
      ),
    );
  }

  @Delete(':ref')
  @HttpCode(200)
  async remove(@Ctx() context: RequestContext, @Param('ref') ref: string): Promise<void> {
    await this.commands.execute(
      new OperateDownloadSessionCommand(context, restId(ref), { type: 'DeleteDownloadSession' }),
    );
  }
}
