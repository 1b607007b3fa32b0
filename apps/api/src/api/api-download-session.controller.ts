import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';

import type { RequestContext } from '@cls/context';
import { allowActions, Ctx, parseBody, unknownAction } from '@cls/http';
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
import { ClientToken } from './client-token';

/** `com.vmware.content.library.item.DownloadSession` in the `/api` style (§6.2). */
@Controller('api/content/library/item/download-session')
export class ApiDownloadSessionController {
  constructor(
    private readonly commands: CommandBus,
    private readonly sessions: DownloadSessionQueries,
  ) {}

  @Post()
  @HttpCode(201)
  create(
    @Ctx() context: RequestContext,
    @Query('action') action: string | undefined,
    @ClientToken() clientToken: string | undefined,
    @Body() body: unknown,
  ): Promise<string> {
    allowActions(action, [undefined]);
    const spec = parseBody(downloadSessionCreateSpec, body);
    return this.commands.execute(
      new CreateDownloadSessionCommand(context, createDownloadSessionInputFrom(spec, clientToken)),
    );
  }

  @Get()
  list(
    @Ctx() context: RequestContext,
    @Query('library_item_id') libraryItemId: string | undefined,
  ): Promise<string[]> {
    return this.sessions.listIds(context.caller, libraryItemId || undefined);
  }

  @Get(':id')
  async get(
    @Ctx() context: RequestContext,
    @Param('id') id: string,
  ): Promise<Record<string, unknown>> {
    return downloadSessionToWire(await this.sessions.get(context.caller, id));
  }

  @Post(':id')
  @HttpCode(204)
  async act(
    @Ctx() context: RequestContext,
    @Param('id') id: string,
    @Query('action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<void> {
    if (!isDownloadSessionAction(action)) throw unknownAction(action);
    await this.commands.execute(
      new OperateDownloadSessionCommand(context, id, downloadSessionActionOperation(action, body)),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() context: RequestContext, @Param('id') id: string): Promise<void> {
    await this.commands.execute(
      new OperateDownloadSessionCommand(context, id, { type: 'DeleteDownloadSession' }),
    );
  }
}
