import { Controller, Get, Param, Query } from '@nestjs/common';
import { z } from 'zod';

import type { RequestContext } from '@cls/context';
import { FEED_START } from '@cls/event-store';
import { Ctx, parseBody } from '@cls/http';
import type { SessionStreamType } from '@cls/sessions';
import {
  createEventTypeRegistry,
  CURSOR_PATTERN,
  cursorOf,
  EventHistoryQueries,
  historyEntryOf,
  positionOf,
} from '@cls/sessions';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1_000;
const eventTypes = createEventTypeRegistry();

const auditQuery = z
  .strictObject({
    library_item_id: z.uuid().optional(),
    library_id: z.uuid().optional(),
    user: z.string().min(1).max(256).optional(),
    event_type: z
      .string()
      .refine((type) => eventTypes.has(type), 'not an event type this service stores')
      .optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    after: z.string().regex(CURSOR_PATTERN, 'not a cursor this service returned').optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  })
  .refine(
    (query) =>
      query.from === undefined ||
      query.to === undefined ||
      Date.parse(query.from) <= Date.parse(query.to),
    { message: 'from must not be after to', path: ['from'] },
  );

/**
 * Our extension (README, "Try it"): the event history of sessions, and the audit query across them.
 * Both need `Cls.Audit`; both keep answering after a session's view is purged.
 */
@Controller('api/cls')
export class EventHistoryController {
  constructor(private readonly history: EventHistoryQueries) {}

  @Get('update-sessions/:id/history')
  updateSessionHistory(@Ctx() context: RequestContext, @Param('id') id: string) {
    return this.sessionHistory(context, 'update_session', id);
  }

  @Get('download-sessions/:id/history')
  downloadSessionHistory(@Ctx() context: RequestContext, @Param('id') id: string) {
    return this.sessionHistory(context, 'download_session', id);
  }

  @Get('events')
  async audit(
    @Ctx() context: RequestContext,
    @Query() query: unknown,
  ): Promise<Record<string, unknown>> {
    const input = parseBody(auditQuery, query);
    const page = await this.history.audit(
      context.caller,
      {
        ...(input.library_item_id === undefined ? {} : { libraryItemId: input.library_item_id }),
        ...(input.library_id === undefined ? {} : { libraryId: input.library_id }),
        ...(input.user === undefined ? {} : { user: input.user }),
        ...(input.event_type === undefined ? {} : { eventType: input.event_type }),
        ...(input.from === undefined ? {} : { from: new Date(input.from) }),
        ...(input.to === undefined ? {} : { to: new Date(input.to) }),
      },
      input.after === undefined ? FEED_START : positionOf(input.after),
      input.limit ?? DEFAULT_PAGE_SIZE,
    );
    return { events: page.events.map(historyEntryOf), next: cursorOf(page.next) };
  }

  private async sessionHistory(
    context: RequestContext,
    kind: SessionStreamType,
    id: string,
  ): Promise<Record<string, unknown>> {
    const events = await this.history.sessionHistory(context.caller, kind, id);
    return { events: events.map(historyEntryOf) };
  }
}
