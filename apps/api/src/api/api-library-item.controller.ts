import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';

import type { RequestContext } from '@cls/context';
import { invalidArgument } from '@cls/domain';
import { allowActions, Ctx, parseBody } from '@cls/http';
import {
  CopyLibraryItemCommand,
  CreateLibraryItemCommand,
  DeleteLibraryItemCommand,
  LibraryItemQueries,
} from '@cls/sessions';

import {
  copyInputFrom,
  copySpecInput,
  itemFindSpecFrom,
  itemFindSpecInput,
  itemInputFrom,
  itemModelInput,
  itemToWire,
} from '../wire/library-item.wire';
import { ClientToken } from './client-token';

/** `com.vmware.content.library.Item` in the `/api` style (§3.4). */
@Controller('api/content/library/item')
export class ApiLibraryItemController {
  constructor(
    private readonly commands: CommandBus,
    private readonly items: LibraryItemQueries,
  ) {}

  /** create (no action) answers 201 with the new id; `?action=find` 200 with the matching ids. */
  @Post()
  async act(
    @Ctx() context: RequestContext,
    @Query('action') action: string | undefined,
    @ClientToken() clientToken: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | string[]> {
    allowActions(action, [undefined, 'find']);
    if (action === 'find') {
      void reply.status(200);
      return this.items.findIds(
        context.caller,
        itemFindSpecFrom(parseBody(itemFindSpecInput, body)),
      );
    }
    void reply.status(201);
    const model = parseBody(itemModelInput, body);
    return this.commands.execute(
      new CreateLibraryItemCommand(context, itemInputFrom(model, clientToken)),
    );
  }

  /** `?action=copy`: a new item holding this one's committed content; 201 with its id. */
  @Post(':id')
  @HttpCode(201)
  copy(
    @Ctx() context: RequestContext,
    @Param('id') id: string,
    @Query('action') action: string | undefined,
    @ClientToken() clientToken: string | undefined,
    @Body() body: unknown,
  ): Promise<string> {
    allowActions(action, ['copy']);
    const spec = parseBody(copySpecInput, body);
    return this.commands.execute(
      new CopyLibraryItemCommand(context, copyInputFrom(id, spec, clientToken)),
    );
  }

  @Get()
  list(
    @Ctx() context: RequestContext,
    @Query('library_id') libraryId: string | undefined,
  ): Promise<string[]> {
    if (!libraryId) throw invalidArgument('library_id', 'the library to list is required');
    return this.items.listIds(context.caller, libraryId);
  }

  @Get(':id')
  async get(
    @Ctx() context: RequestContext,
    @Param('id') id: string,
  ): Promise<Record<string, unknown>> {
    return itemToWire(await this.items.get(context.caller, id));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Ctx() context: RequestContext, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteLibraryItemCommand(context, id));
  }
}
