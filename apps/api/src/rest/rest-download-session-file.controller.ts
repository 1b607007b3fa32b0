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
  DownloadEndpoints,
  DownloadSessionQueries,
  PrepareDownloadSessionFileCommand,
} from '@cls/sessions';

import { downloadFileToWire, fileNameBody, prepareBody } from '../wire/download-session.wire';

/** `com.vmware.content.library.item.downloadsession.File` in the `/rest` style (§6.3). */
@Controller('rest/com/vmware/content/library/item/downloadsession/file')
@UseInterceptors(RestEnvelopeInterceptor)
export class RestDownloadSessionFileController {
  constructor(
    private readonly commands: CommandBus,
    private readonly sessions: DownloadSessionQueries,
    private readonly endpoints: DownloadEndpoints,
  ) {}

  @Get()
  async list(
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Query('download_session_id') sessionId: string | undefined,
  ): Promise<Record<string, unknown>[]> {
    if (!sessionId) {
      throw invalidArgument('download_session_id', 'the session to list is required');
    }
    const session = await this.sessions.get(context.caller, sessionId);
    const files = await this.sessions.filesOf(session);
    return Promise.all(
      files.map((file) => downloadFileToWire(this.endpoints, baseUrlOf(request), session, file)),
    );
  }

  @Post(':ref')
  @HttpCode(200)
  async act(
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Param('ref') ref: string,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    const sessionId = restId(ref);
    let name: string;
    if (action === 'get') {
      name = parseBody(fileNameBody, body).file_name;
    } else if (action === 'prepare') {
      const { file_name, endpoint_type } = parseBody(prepareBody, body);
      name = file_name;
      await this.commands.execute(
        new PrepareDownloadSessionFileCommand(context, sessionId, name, endpoint_type ?? 'HTTPS'),
      );
    } else {
      throw unknownAction(action);
    }
    const session = await this.sessions.get(context.caller, sessionId);
    const file = await this.sessions.fileOf(session, name);
    return downloadFileToWire(this.endpoints, baseUrlOf(request), session, file);
  }
}
