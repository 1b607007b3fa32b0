import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { RequestContext } from '@cls/context';
import { baseUrlOf, Ctx, parseBody, unknownAction } from '@cls/http';
import {
  AddUpdateSessionFileCommand,
  RemoveUpdateSessionFileCommand,
  UpdateSessionFileQueries,
  UploadService,
} from '@cls/sessions';

import { addFileInputFrom, addSpecInput, validationToWire } from '../wire/content-file.wire';
import { sessionFileInfo } from '../wire/session-file-info';

/** `com.vmware.content.library.item.updatesession.File` in the `/api` style (§4.3). */
@Controller('api/content/library/item/update-session/:sessionId/file')
export class ApiUpdateSessionFileController {
  constructor(
    private readonly commands: CommandBus,
    private readonly files: UpdateSessionFileQueries,
    private readonly uploads: UploadService,
  ) {}

  @Get()
  async list(
    @Ctx() context: RequestContext,
    @Param('sessionId') sessionId: string,
    @Req() request: FastifyRequest,
  ): Promise<Record<string, unknown>[]> {
    const files = await this.files.list(context.caller, sessionId);
    return Promise.all(
      files.map((file) => sessionFileInfo(this.uploads, baseUrlOf(request), file)),
    );
  }

  /** add (no action, or `?action=add`, §10.4) answers 201 with the file; validate answers 200. */
  @Post()
  async act(
    @Ctx() context: RequestContext,
    @Param('sessionId') sessionId: string,
    @Query('action') action: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>> {
    if (action === 'validate') {
      const result = await this.files.validate(context.caller, sessionId);
      void reply.status(200);
      return validationToWire(result);
    }
    if (action !== undefined && action !== 'add') throw unknownAction(action);
    const spec = parseBody(addSpecInput, body);
    const added = await this.commands.execute(
      new AddUpdateSessionFileCommand(context, sessionId, addFileInputFrom(spec)),
    );
    void reply.status(201);
    return sessionFileInfo(this.uploads, baseUrlOf(request), added);
  }

  @Get(':name')
  async get(
    @Ctx() context: RequestContext,
    @Param('sessionId') sessionId: string,
    @Param('name') name: string,
    @Req() request: FastifyRequest,
  ): Promise<Record<string, unknown>> {
    return sessionFileInfo(
      this.uploads,
      baseUrlOf(request),
      await this.files.get(context.caller, sessionId, name),
    );
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(
    @Ctx() context: RequestContext,
    @Param('sessionId') sessionId: string,
    @Param('name') name: string,
  ): Promise<void> {
    await this.commands.execute(new RemoveUpdateSessionFileCommand(context, sessionId, name));
  }
}
