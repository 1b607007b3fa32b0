import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { z } from 'zod';

import type { Grant, UserRecord } from '@cls/access';
import { PRIVILEGES, requireAdmin, UserDirectory } from '@cls/access';
import type { RequestContext } from '@cls/context';
import { Ctx, parseBody } from '@cls/http';
import { DeleteSessionsOfUserCommand } from '@cls/sessions';

import { dateTimeToWire } from '../wire/time.wire';

const grantBody = z.strictObject({
  privilege: z.enum(PRIVILEGES),
  object_id: z.string().min(1).optional(),
});
const createBody = z.strictObject({
  name: z.string(),
  password: z.string(),
  admin: z.boolean().optional(),
  grants: z.array(grantBody).optional(),
});
const patchBody = z.strictObject({
  password: z.string().optional(),
  admin: z.boolean().optional(),
});

function grantFrom(input: z.output<typeof grantBody>): Grant {
  return input.object_id === undefined
    ? { privilege: input.privilege }
    : { privilege: input.privilege, objectId: input.object_id };
}

function userToWire(user: UserRecord): Record<string, unknown> {
  return {
    name: user.name,
    admin: user.isAdmin,
    grants: user.grants.map((grant) => ({
      privilege: grant.privilege,
      ...(grant.objectId ? { object_id: grant.objectId } : {}),
    })),
    creation_time: dateTimeToWire(user.creationTime),
  };
}

/** Our extension: administrators manage users and their privilege grants. */
@Controller('api/cls/users')
export class UsersController {
  constructor(
    private readonly users: UserDirectory,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  async list(@Ctx() context: RequestContext): Promise<Record<string, unknown>[]> {
    requireAdmin(context.caller);
    return (await this.users.list()).map(userToWire);
  }

  @Post()
  @HttpCode(201)
  async create(
    @Ctx() context: RequestContext,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    requireAdmin(context.caller);
    const input = parseBody(createBody, body);
    // Sessions a previous user of this name left (its deletion cut short) are not this user's.
    if (!(await this.users.exists(input.name)))
      await this.commands.execute(new DeleteSessionsOfUserCommand(context, input.name));
    let user = await this.users.create(input.name, input.password, input.admin ?? false);
    for (const grant of input.grants ?? [])
      user = await this.users.grant(user.name, grantFrom(grant));
    return userToWire(user);
  }

  @Get(':name')
  async get(
    @Ctx() context: RequestContext,
    @Param('name') name: string,
  ): Promise<Record<string, unknown>> {
    requireAdmin(context.caller);
    return userToWire(await this.users.get(name));
  }

  @Patch(':name')
  async update(
    @Ctx() context: RequestContext,
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    requireAdmin(context.caller);
    const input = parseBody(patchBody, body);
    return userToWire(
      await this.users.update(name, {
        ...(input.password === undefined ? {} : { password: input.password }),
        ...(input.admin === undefined ? {} : { isAdmin: input.admin }),
      }),
    );
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Ctx() context: RequestContext, @Param('name') name: string): Promise<void> {
    requireAdmin(context.caller);
    // Sessions belong to a user name: they go with the user (after it, its logins gone, so none
    // can be opened meanwhile), and a user re-created under the name starts with none.
    await this.users.remove(name);
    await this.commands.execute(new DeleteSessionsOfUserCommand(context, name));
  }

  @Post(':name/grants')
  @HttpCode(201)
  async grant(
    @Ctx() context: RequestContext,
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<Record<string, unknown>> {
    requireAdmin(context.caller);
    return userToWire(await this.users.grant(name, grantFrom(parseBody(grantBody, body))));
  }

  @Delete(':name/grants')
  async revoke(
    @Ctx() context: RequestContext,
    @Param('name') name: string,
    @Query('privilege') privilege: string | undefined,
    @Query('object_id') objectId: string | undefined,
  ): Promise<Record<string, unknown>> {
    requireAdmin(context.caller);
    const grant = parseBody(grantBody, { privilege, ...(objectId ? { object_id: objectId } : {}) });
    return userToWire(await this.users.revoke(name, grantFrom(grant)));
  }
}
