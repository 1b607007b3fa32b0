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
import { allowActions, Ctx, parseBody, RestEnvelopeInterceptor, restId } from '@cls/http';
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

const createBody = z.strictObject({
  create_spec: libraryModelInput,
  client_token: z.string().optional(),
});

const findBody = z.strictObject({ spec: libraryFindSpecInput });

/** `com.vmware.content.LocalLibrary` and `com.vmware.content.Library` in the `/rest` style (§3.2, §3.3). */
@Controller('rest/com/vmware/content')
@UseInterceptors(RestEnvelopeInterceptor)
export class RestLibraryController {
  constructor(
    private readonly commands: CommandBus,
    private readonly libraries: LibraryQueries,
  ) {}

  @Post('local-library')
  @HttpCode(200)
  async create(
    @Ctx() context: RequestContext,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<string> {
    allowActions(action, [undefined, 'create']);
    const { create_spec, client_token } = parseBody(createBody, body);
    return this.commands.execute(
      new CreateLocalLibraryCommand(context, libraryInputFrom(create_spec, client_token)),
    );
  }

  @Post('library')
  @HttpCode(200)
  find(
    @Ctx() context: RequestContext,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<string[]> {
    allowActions(action, ['find']);
    const { spec } = parseBody(findBody, body);
    return this.libraries.findIds(context.caller, libraryFindSpecFrom(spec));
  }

  @Get(['local-library', 'library'])
  list(@Ctx() context: RequestContext): Promise<string[]> {
    return this.libraries.listIds(context.caller);
  }

  @Get(['local-library/:ref', 'library/:ref'])
  async get(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
  ): Promise<Record<string, unknown>> {
    return libraryToWire(await this.libraries.get(context.caller, restId(ref)));
  }

  @Delete('local-library/:ref')
  @HttpCode(200)
  async remove(@Ctx() context: RequestContext, @Param('ref') ref: string): Promise<void> {
    await this.commands.execute(new DeleteLocalLibraryCommand(context, restId(ref)));
  }
}
