import { Controller, Delete, Get, Headers, HttpCode, Ip, Post } from '@nestjs/common';

import type { ResolvedLogin } from '@cls/access';
import { LoginSessions } from '@cls/access';
import { Login, Public } from '@cls/http';

import { LoginService } from '../login.service';
import { loginInfoToWire } from '../wire/login.wire';

/** `com.vmware.cis.session` in the `/api` style (§3.1). */
@Controller('api/session')
export class ApiLoginController {
  constructor(
    private readonly login: LoginService,
    private readonly logins: LoginSessions,
  ) {}

  @Post()
  @Public()
  @HttpCode(201)
  create(
    @Headers('authorization') authorization: string | undefined,
    @Ip() address: string,
  ): Promise<string> {
    return this.login.login(authorization, address);
  }

  @Get()
  get(@Login() login: ResolvedLogin): Record<string, unknown> {
    return loginInfoToWire(login.info);
  }

  @Delete()
  @HttpCode(204)
  async remove(@Login() login: ResolvedLogin): Promise<void> {
    await this.logins.close(login.tokenHash);
  }
}
