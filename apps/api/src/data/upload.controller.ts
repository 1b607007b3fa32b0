import { Controller, Headers, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { correlationIdOf, Public } from '@cls/http';
import { UploadService } from '@cls/sessions';

/**
 * The upload endpoint (contract §7.1): raw bytes by PUT or POST to `/cls/data/<token>/<name>`. The
 * URL is the credential, so no API session is needed; the body is never parsed, only streamed.
 */
@Controller('cls/data/:token/:name')
@Public()
export class UploadController {
  constructor(private readonly uploads: UploadService) {}

  @Put()
  @Post()
  @HttpCode(200)
  async upload(
    @Param('token') token: string,
    @Param('name') name: string,
    @Headers('content-length') contentLength: string | undefined,
    @Headers('content-range') contentRange: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.uploads.receive({
      token,
      name,
      body: request.raw,
      ...(contentLength === undefined ? {} : { contentLength: Number(contentLength) }),
      ...(contentRange === undefined ? {} : { contentRange }),
      correlationId: correlationIdOf(request),
    });
  }
}
