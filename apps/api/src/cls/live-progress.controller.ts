import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { RequestContext } from '@cls/context';
import { invalidArgument } from '@cls/domain';
import { Ctx } from '@cls/http';
import type { SessionStreamType } from '@cls/sessions';

import { SessionLiveFeed } from '../live/session-live-feed';
import { sendServerSentEvents } from './server-sent-events';

/** A client whose socket has taken no byte for this long has stopped reading: let it go. */
const STUCK_CLIENT_MS = 60_000;

function afterVersionOf(request: FastifyRequest): number {
  const header = request.headers['last-event-id'];
  if (header === undefined) return 0;
  if (typeof header !== 'string' || !/^\d{1,9}$/.test(header)) {
    throw invalidArgument('Last-Event-ID', 'expected the id of an event this stream sent');
  }
  return Number(header);
}

/**
 * Our extension (README, "Try it"): a session's state changes and byte progress as Server-Sent
 * Events, for its owner or an administrator, until the session leaves ACTIVE; resumable with
 * `Last-Event-ID`.
 */
@Controller('api/cls')
export class LiveProgressController {
  constructor(private readonly feed: SessionLiveFeed) {}

  @Get('update-sessions/:id/events')
  updateSessionEvents(
    @Ctx() context: RequestContext,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.stream(context, 'update_session', id, request, reply);
  }

  @Get('download-sessions/:id/events')
  downloadSessionEvents(
    @Ctx() context: RequestContext,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.stream(context, 'download_session', id, request, reply);
  }

  private async stream(
    context: RequestContext,
    kind: SessionStreamType,
    id: string,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const closed = new AbortController();
    // Errors (unknown session, bad Last-Event-ID) are still answered as ordinary API errors here.
    const messages = await this.feed.open(
      context.caller,
      kind,
      id,
      afterVersionOf(request),
      closed.signal,
    );
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    reply.raw.on('close', () => closed.abort());
    request.raw.socket.setTimeout(STUCK_CLIENT_MS, () => request.raw.socket.destroy());
    await sendServerSentEvents(messages, reply.raw).catch(() => {
      // The client went away, or the session vanished mid-stream: nothing left to answer.
    });
  }
}
