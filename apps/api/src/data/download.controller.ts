import { pipeline } from 'node:stream/promises';

import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Public } from '@cls/http';
import type { DownloadRequest } from '@cls/sessions';
import { DownloadService } from '@cls/sessions';

type DataPlaneRequest = FastifyRequest<{ Params: { token: string; name: string } }>;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The download endpoint (contract §7.3): `GET`/`HEAD /cls/data/<token>/<name>`. The URL is the
 * credential, as for uploads, so no API session is needed.
 */
@Controller('cls/data/:token/:name')
@Public()
export class DownloadController {
  constructor(private readonly downloads: DownloadService) {}

  /** Fastify answers HEAD through this route too; then no file is opened. */
  @Get()
  async get(@Req() request: DataPlaneRequest, @Res() reply: FastifyReply): Promise<void> {
    const headersOnly = request.method === 'HEAD';
    const range = header(request, 'range');
    const ifNoneMatch = header(request, 'if-none-match');
    const ifRange = header(request, 'if-range');
    const wanted: DownloadRequest = {
      token: request.params.token,
      name: request.params.name,
      headersOnly,
      ...(range === undefined ? {} : { range }),
      ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }),
      ...(ifRange === undefined ? {} : { ifRange }),
    };
    const response = await this.downloads.serve(wanted);
    // Written raw: HEAD must announce the file's length, and the body streams with back-pressure.
    reply.hijack();
    reply.raw.writeHead(response.status, response.headers);
    if (!response.body) {
      reply.raw.end();
      return;
    }
    const stages = response.meter ? [response.body, response.meter] : [response.body];
    await pipeline([...stages, reply.raw]).catch(() => {
      // The client went away mid-download: nothing to answer.
    });
  }
}
