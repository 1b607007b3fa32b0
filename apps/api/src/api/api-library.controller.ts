import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';

import type { RequestContext } from '@cls/context';
import { allowActions, Ctx, parseBody } from '@cls/http';
import {
  CreateLocalLibraryCommand,
  DeleteLocalLibraryCommand,
  LibraryQueries,
} from '@cls/sessions';

import {
  libraryFindSpecFrom,
  libraryFindSpecInput,
  libraryInputFrom,
  libraryModelInput,
  libraryToWire,
} from '../wire/library.wire';
import { ClientToken } from './client-token';

/** `com.vmware.content.LocalLibrary` and `com.vmware.content.Library` in the `/api` style (§3.2, §3.3). */
@Controller('api/content')
export class ApiLibraryController {
  constructor(
    private readonly commands: CommandBus,
    private readonly libraries: LibraryQueries,
  ) {}

  @Post('local-library')
  @HttpCode(201)
  create(
    @Ctx() context: RequestContext,
    @Query('action') action: string | undefined,
    @ClientToken() clientToken: string | undefined,
    @Body() body: unknown,
  ): Promise<string> {
    allowActions(action, [undefined]);
    const model = parseBody(libraryModelInput, body);
    return this.commands.execute(
      new CreateLocalLibraryCommand(context, libraryInputFrom(model, clientToken)),
    );
  }

  @Post('library')
  @HttpCode(200)
  find(
    @Ctx() context: RequestContext,
    @Query('action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<string[]> {
    allowActions(action, ['find']);
    const spec = libraryFindSpecFrom(parseBody(libraryFindSpecInput, body));
    return this.libraries.findIds(context.caller, spec);
  }

  @Get(['local-library', 'library'])
  list(@Ctx() context: RequestContext): Promise<string[]> {
    return this.libraries.listIds(context.caller);
  }

  @Get(['local-library/:id', 'library/:id'])
  async get(
    @Ctx() context: RequestContext,
    @Param('id') id: string,
  ): Promise<Record<string, unknown>> {
    return libraryToWire(await this.libraries.get(context.caller, id));
  }

  @Delete('local-library/:id')
  @HttpCode(204)
  async remove(@Ctx() context: RequestContext, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new DeleteLocalLibraryCommand(context, id));
  }
}
