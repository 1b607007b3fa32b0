import {
  Controller,
  Delete,
  Headers,
  HttpCode,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import type { ResolvedLogin } from '@cls/access';
import { LoginSessions } from '@cls/access';
import type { AuthenticatedRequest } from '@cls/http';
import {
  AuthenticationGuard,
  Login,
  Public,
  RestEnvelopeInterceptor,
  SESSION_HEADER,
  allowActions,
} from '@cls/http';

import { LoginService } from '../login.service';
import { loginInfoToWire } from '../wire/login.wire';

/** `com.vmware.cis.session` in the `/rest` style (§3.1). */
@Controller('rest/com/vmware/cis/session')
@UseInterceptors(RestEnvelopeInterceptor)
export class RestLoginController {
  constructor(
    private readonly login: LoginService,
    private readonly logins: LoginSessions,
    private readonly authentication: AuthenticationGuard,
  ) {}

  /** create (no action) or get (`~action=get`); create is the one call without a session. */
  @Post()
  @Public()
  @HttpCode(200)
  async createOrGet(
    @Query('~action') action: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Headers('vmware-use-header-authn') headerAuthOnly: string | undefined,
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    if (action === 'get')
      return loginInfoToWire((await this.authentication.authenticate(request)).info);
    allowActions(action, [undefined, 'create']);
    const token = await this.login.login(authorization, request.ip);
    // Legacy cookie auth, unless the client asked for header-only authentication (govmomi does).
    if (headerAuthOnly?.toLowerCase() !== 'true') {
      void reply.header('set-cookie', `${SESSION_HEADER}=${token};Path=/rest;Secure;HttpOnly`);
    }
    return token;
  }

  @Delete()
  @HttpCode(200)
  async remove(@Login() login: ResolvedLogin): Promise<void> {
    await this.logins.close(login.tokenHash);
  }
}
