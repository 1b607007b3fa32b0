import { Controller, HttpCode, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { correlationOfRequest, Public } from '@cls/http';
import { UploadService } from '@cls/sessions';

type DataPlaneRequest = FastifyRequest<{ Params: { token: string; name: string } }>;

/**
 * The upload endpoint (contract §7.1): raw bytes by PUT (govc, Java SDK) or POST (Python SDK,
 * Ansible) to `/cls/data/<token>/<name>`. The URL is the credential, so no API session is needed;
 * the body is never parsed, only streamed.
 */
@Controller('cls/data/:token/:name')
@Public()
export class UploadController {
  constructor(private readonly uploads: UploadService) {}

  @Put()
  @HttpCode(200)
  put(@Req() request: DataPlaneRequest): Promise<void> {
    return this.receive(request);
  }

  @Post()
  @HttpCode(200)
  post(@Req() request: DataPlaneRequest): Promise<void> {
    return this.receive(request);
  }

  private async receive(request: DataPlaneRequest): Promise<void> {
    const contentLength = request.headers['content-length'];
    const contentRange = request.headers['content-range'];
    await this.uploads.receive({
      token: request.params.token,
      name: request.params.name,
      body: request.raw,
      ...(contentLength === undefined ? {} : { contentLength: Number(contentLength) }),
      ...(contentRange === undefined ? {} : { contentRange }),
      ...correlationOfRequest(request),
    });
  }
}
