import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';

import type { RequestContext } from '@cls/context';
import { baseUrlOf, Ctx, parseBody, unknownAction } from '@cls/http';
import {
  DownloadEndpoints,
  DownloadSessionQueries,
  PrepareDownloadSessionFileCommand,
} from '@cls/sessions';

import { downloadFileToWire, prepareBody } from '../wire/download-session.wire';

/** `com.vmware.content.library.item.downloadsession.File` in the `/api` style (§6.3). */
@Controller('api/content/library/item/download-session/:id/file')
export class ApiDownloadSessionFileController {
  constructor(
    private readonly commands: CommandBus,
    private readonly sessions: DownloadSessionQueries,
    private readonly endpoints: DownloadEndpoints,
  ) {}

  /** list, or get when `file_name` is given. */
  @Get()
  async read(
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Query('file_name') fileName: string | undefined,
  ): Promise<Record<string, unknown> | Record<string, unknown>[]> {
    const session = await this.sessions.get(context.caller, id);
    const base = baseUrlOf(request);
    if (fileName !== undefined) {
      const file = await this.sessions.fileOf(session, fileName);
      return downloadFileToWire(this.endpoints, base, session, file);
    }
    const files = await this.sessions.filesOf(session);
    return Promise.all(
      files.map((file) => downloadFileToWire(this.endpoints, base, session, file)),
    );
  }

  @Post()
  @HttpCode(200)
  async prepare(
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Param('id') id: string,
    @Query('action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    if (action !== 'prepare') throw unknownAction(action);
    const { file_name, endpoint_type } = parseBody(prepareBody, body);
    await this.commands.execute(
      new PrepareDownloadSessionFileCommand(context, id, file_name, endpoint_type ?? 'HTTPS'),
    );
    const session = await this.sessions.get(context.caller, id);
    const file = await this.sessions.fileOf(session, file_name);
    return downloadFileToWire(this.endpoints, baseUrlOf(request), session, file);
  }
}
