import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { z } from 'zod';

import type { RequestContext } from '@cls/context';
import {
  Ctx,
  parseBody,
  RestEnvelopeInterceptor,
  restId,
  allowActions,
  unknownAction,
} from '@cls/http';
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

const createBody = z.strictObject({
  create_spec: updateSessionCreateSpec,
  client_token: z.string().optional(),
});
const updateBody = z.strictObject({ update_spec: updateSessionModelInput });

/** `com.vmware.content.library.item.UpdateSession` in the `/rest` style (§4.2). */
@Controller('rest/com/vmware/content/library/item/update-session')
@UseInterceptors(RestEnvelopeInterceptor)
export class RestUpdateSessionController {
  constructor(
    private readonly commands: CommandBus,
    private readonly sessions: UpdateSessionQueries,
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
      new CreateUpdateSessionCommand(
        context,
        createUpdateSessionInputFrom(create_spec, client_token),
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
    return updateSessionToWire(await this.sessions.get(context.caller, restId(ref)));
  }

  @Patch(':ref')
  @HttpCode(200)
  async update(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
    @Body() body: unknown,
  ): Promise<void> {
    const sessionId = restId(ref);
    const { update_spec } = parseBody(updateBody, body);
    await this.commands.execute(
      new OperateUpdateSessionCommand(context, sessionId, updateOperationFrom(update_spec)),
    );
  }

  @Post(':ref')
  @HttpCode(200)
  async act(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<void> {
    const sessionId = restId(ref);
    if (!isSessionAction(action)) throw unknownAction(action);
    await this.commands.execute(
      new OperateUpdateSessionCommand(context, sessionId, sessionActionOperation(action, body)),
    );
  }

  @Delete(':ref')
  @HttpCode(200)
  async remove(@Ctx() context: RequestContext, @Param('ref') ref: string): Promise<void> {
    await this.commands.execute(
      new OperateUpdateSessionCommand(context, restId(ref), { type: 'DeleteUpdateSession' }),
    );
  }
}
