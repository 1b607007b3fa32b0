import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { z } from 'zod';

import type { RequestContext } from '@cls/context';
import { invalidArgument } from '@cls/domain';
import { allowActions, Ctx, parseBody, RestEnvelopeInterceptor, restId } from '@cls/http';
import {
  CopyLibraryItemCommand,
  CreateLibraryItemCommand,
  DeleteLibraryItemCommand,
  LibraryItemQueries,
} from '@cls/sessions';

import {
  copyInputFrom,
  copySpecInput,
  itemFindSpecFrom,
  itemFindSpecInput,
  itemInputFrom,
  itemModelInput,
  itemToWire,
} from '../wire/library-item.wire';

const createBody = z.strictObject({
  create_spec: itemModelInput,
  client_token: z.string().optional(),
});

const findBody = z.strictObject({ spec: itemFindSpecInput });
const copyBody = z.strictObject({
  client_token: z.string().optional(),
  destination_create_spec: copySpecInput,
});
/** `copy` on the collection names its source in the body. */
const collectionCopyBody = copyBody.extend({ source_library_item_id: z.string() });

/** `com.vmware.content.library.Item` in the `/rest` style (§3.4). */
@Controller('rest/com/vmware/content/library/item')
@UseInterceptors(RestEnvelopeInterceptor)
export class RestLibraryItemController {
  constructor(
    private readonly commands: CommandBus,
    private readonly items: LibraryItemQueries,
  ) {}

  /** create (no action, or `~action=create`) answers the new id; find the matching ids. */
  @Post()
  @HttpCode(200)
  async act(
    @Ctx() context: RequestContext,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<string | string[]> {
    allowActions(action, [undefined, 'create', 'find', 'copy']);
    if (action === 'find') {
      const { spec } = parseBody(findBody, body);
      return this.items.findIds(context.caller, itemFindSpecFrom(spec));
    }
    if (action === 'copy') {
      const copy = parseBody(collectionCopyBody, body);
      return this.copy(context, copy.source_library_item_id, copy);
    }
    const { create_spec, client_token } = parseBody(createBody, body);
    return this.commands.execute(
      new CreateLibraryItemCommand(context, itemInputFrom(create_spec, client_token)),
    );
  }

  /** `~action=copy` on an item: a new item holding its committed content. */
  @Post(':ref')
  @HttpCode(200)
  copyItem(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
    @Query('~action') action: string | undefined,
    @Body() body: unknown,
  ): Promise<string> {
    allowActions(action, ['copy']);
    return this.copy(context, restId(ref), parseBody(copyBody, body));
  }

  private copy(
    context: RequestContext,
    sourceItemId: string,
    { client_token, destination_create_spec }: z.output<typeof copyBody>,
  ): Promise<string> {
    return this.commands.execute(
      new CopyLibraryItemCommand(
        context,
        copyInputFrom(sourceItemId, destination_create_spec, client_token),
      ),
    );
  }

  @Get()
  list(
    @Ctx() context: RequestContext,
    @Query('library_id') libraryId: string | undefined,
  ): Promise<string[]> {
    if (!libraryId) throw invalidArgument('library_id', 'the library to list is required');
    return this.items.listIds(context.caller, libraryId);
  }

  @Get(':ref')
  async get(
    @Ctx() context: RequestContext,
    @Param('ref') ref: string,
  ): Promise<Record<string, unknown>> {
    return itemToWire(await this.items.get(context.caller, restId(ref)));
  }

  @Delete(':ref')
  @HttpCode(200)
  async remove(@Ctx() context: RequestContext, @Param('ref') ref: string): Promise<void> {
    await this.commands.execute(new DeleteLibraryItemCommand(context, restId(ref)));
  }
}
