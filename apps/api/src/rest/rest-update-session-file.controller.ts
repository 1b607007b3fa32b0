import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { RequestContext } from '@cls/context';
import { invalidArgument } from '@cls/domain';
import {
  baseUrlOf,
  Ctx,
  parseBody,
  RestEnvelopeInterceptor,
  restId,
  unknownAction,
} from '@cls/http';
import {
  AddUpdateSessionFileCommand,
  RemoveUpdateSessionFileCommand,
  UpdateSessionFileQueries,
  UploadService,
} from '@cls/sessions';

import {
  addFileInputFrom,
  addSpecInput,
  fileNameBody,
  validationToWire,
} from '../wire/content-file.wire';
import { sessionFileInfo } from '../wire/session-file-info';

const addBody = z.strictObject({ file_spec: addSpecInput });

/** `com.vmware.content.library.item.updatesession.File` in the `/rest` style (§4.3). */
@Controller('rest/com/vmware/content/library/item/updatesession/file')
@UseInterceptors(RestEnvelopeInterceptor)
export class RestUpdateSessionFileController {
  constructor(
    private readonly commands: CommandBus,
    private readonly files: UpdateSessionFileQueries,
    private readonly uploads: UploadService,
  ) {}

  @Get()
  async list(
    @Ctx() context: RequestContext,
    @Query('update_session_id') sessionId: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<Record<string, unknown>[]> {
    if (!sessionId) throw invalidArgument('update_session_id', 'the session to list is required');
    const files = await this.files.list(context.caller, sessionId);
    return Promise.all(
      files.map((file) => sessionFileInfo(this.uploads, baseUrlOf(request), file)),
    );
  }

  @Post(':ref')
  @HttpCode(200)
  async act(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<unknown> {
    const sessionId = restId(ref);
    switch (action) {
      case 'add': {
        const spec = parseBody(addBody, body).file_spec;
        const added = await this.commands.execute(
          new AddUpdateSessionFileCommand(context, sessionId, addFileInputFrom(spec)),
        );
        return sessionFileInfo(this.uploads, baseUrlOf(request), added);
      }
      case 'get': {
        const { file_name } = parseBody(fileNameBody, body);
        return sessionFileInfo(
          this.uploads,
          baseUrlOf(request),
          await this.files.get(context.caller, sessionId, file_name),
        );
      }
      case 'remove': {
        const { file_name } = parseBody(fileNameBody, body);
        await this.commands.execute(
          new RemoveUpdateSessionFileCommand(context, sessionId, file_name),
        );
        return undefined;
      }
      case 'validate':
        return validationToWire(await this.files.validate(context.caller, sessionId));
      default:
        throw unknownAction(action);
    }
  }
}
