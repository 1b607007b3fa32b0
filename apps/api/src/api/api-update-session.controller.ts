import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';

import type { RequestContext } from '@cls/context';
import { allowActions, Ctx, parseBody, unknownAction } from '@cls/http';
import {
  CreateUpdateSessionCommand,
  OperateUpdateSessionCommand,
  UpdateSessionQueries,
} from '@cls/sessions';

import {
  createUpdateSessionInputFrom,
  isSessionAction,
  sessionActionOperation,
  updateOperationFrom,
  updateSessionCreateSpec,
  updateSessionModelInput,
  updateSessionToWire,
} from '../wire/update-session.wire';
import { ClientToken } from './client-token';

/** `com.vmware.content.library.item.UpdateSession` in the `/api` style (§4.2). */
@Controller('api/content/library/item/update-session')
export class ApiUpdateSessionController {
  constructor(
    private readonly commands: CommandBus,
    private readonly sessions: UpdateSessionQueries,
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
    const spec = parseBody(updateSessionCreateSpec, body);
    return this.commands.execute(
      new CreateUpdateSessionCommand(context, createUpdateSessionInputFrom(spec, clientToken)),
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
    return updateSessionToWire(await this.sessions.get(context.caller, id));
  }

  @Patch(':id')
  @HttpCode(204)
  async update(
    @Ctx() context: RequestContext,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const spec = parseBody(updateSessionModelInput, body);
    await this.commands.execute(
      new OperateUpdateSessionCommand(context, id, updateOperationFrom(spec)),
    );
  }

  @Post(':id')
  @HttpCode(204)
  async act(
    @Ctx() context: RequestContext,
    @Param('id') id: string,
    @Query('action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<void> {
    if (!isSessionAction(action)) throw unknownAction(action);
    await this.commands.execute(
      new OperateUpdateSessionCommand(context, id, sessionActionOperation(action, body)),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() context: RequestContext, @Param('id') id: string): Promise<void> {
    await this.commands.execute(
      new OperateUpdateSessionCommand(context, id, { type: 'DeleteUpdateSession' }),
    );
  }
}
