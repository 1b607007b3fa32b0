import { Controller, HttpCode, Inject, Post, Put, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
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
  constructor(
    private readonly uploads: UploadService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
    const idle = this.cutWhenIdle(request);
    try {
      await this.uploads.receive({
        token: request.params.token,
        name: request.params.name,
        body: request.raw,
        ...(contentLength === undefined ? {} : { contentLength: Number(contentLength) }),
        ...(contentRange === undefined ? {} : { contentRange }),
        ...correlationOfRequest(request),
      });
    } finally {
      idle.disarm();
    }
  }

  /**
   * A body that sends nothing for `UPLOAD_IDLE_TIMEOUT_SECONDS` has its connection cut, as a
   * client that vanished: what was staged stays, and the file resumes from there. Only while the
   * body flows; the answer after it may take as long as it takes.
   */
  private cutWhenIdle(request: DataPlaneRequest): { disarm(): void } {
    const socket = request.raw.socket;
    const disarm = (): void => {
      socket.setTimeout(0);
    };
    socket.setTimeout(this.config.uploadIdleTimeoutSeconds * 1000, () => socket.destroy());
    request.raw.once('end', disarm);
    return { disarm };
  }
}
