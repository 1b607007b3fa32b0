import { createHash } from 'node:crypto';

import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { ResolvedLogin } from '@cls/access';
import { holds, LoginSessions } from '@cls/access';
import type { AppConfig } from '@cls/config';
import { APP_CONFIG } from '@cls/config';
import { Clock } from '@cls/context';
import { TooManyAttempts, Unauthenticated, uuidFromHex } from '@cls/domain';
import { Public } from '@cls/http';
import type { SoapDatastores, SoapLogin, SoapLogins } from '@cls/soap';
import { VimFault, VimService, soapFault } from '@cls/soap';

import { LoginService } from '../login.service';
import { datastoreSpace } from '../ops/datastore-space';

/** The vim25 session cookie (govmomi sends it back on every SOAP call). */
export const SOAP_SESSION_COOKIE = 'vmware_soap_session';

const SERVICE_VERSION = '7.0.0';

/** An id for `about.instanceUuid` that stays the same for one deployment (its database). */
function instanceUuidOf(databaseUrl: string): string {
  return uuidFromHex(createHash('sha256').update(`cls-engine:${databaseUrl}`).digest('hex'));
}

/**
 * `/sdk`: the vim25 SOAP façade (`@cls/soap`) over the REST login's users and sessions, so a
 * client that logs in over SOAP (govc) holds a token the REST API takes too. Answers are SOAP
 * envelopes and faults, never JSON.
 */
@Controller('sdk')
@Public()
export class SdkController {
  private readonly logger = new Logger('sdk');
  private readonly vim: VimService;

  constructor(
    login: LoginService,
    logins: LoginSessions,
    clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const soapLogin = (login: ResolvedLogin): SoapLogin => ({
      user: login.info.user,
      key: login.tokenHash,
      loginTime: login.info.createdTime,
      lastActiveTime: login.info.lastAccessedTime,
      readsInventory: holds(login.caller, 'System.Read', { kind: 'global' }),
    });
    const adapter: SoapLogins = {
      async login(user, password, address) {
        // Wrong credentials and a locked-out name or address are both InvalidLogin to govc.
        const token = await login.loginWith(user, password, address).catch((error: unknown) => {
          if (error instanceof Unauthenticated || error instanceof TooManyAttempts)
            return undefined;
          throw error;
        });
        if (token === undefined) return undefined;
        return { token, login: soapLogin(await logins.resolve(token, clock.now())) };
      },
      async resolve(token) {
        // An unknown or ended token is no login: the façade answers NotAuthenticated.
        const login = await logins.resolve(token, clock.now()).catch(() => undefined);
        return login && soapLogin(login);
      },
      async logout(token) {
        const login = await logins.resolve(token, clock.now());
        await logins.close(login.tokenHash);
      },
    };
    const datastores: SoapDatastores = {
      list: () =>
        Promise.all(
          config.datastores.map(async (datastore) => ({
            id: datastore.id,
            ...(await datastoreSpace(datastore)),
          })),
        ),
    };
    this.vim = new VimService(
      adapter,
      datastores,
      { instanceUuid: instanceUuidOf(config.databaseUrl), version: SERVICE_VERSION },
      () => clock.now(),
    );
  }

  @Post()
  async call(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // vCenter quotes the cookie's value; a client may send it back quoted (curl) or not (Go).
    const token = (request.cookies as Record<string, string | undefined> | undefined)?.[
      SOAP_SESSION_COOKIE
    ]?.replace(/^"(.*)"$/, '$1');
    const answer = await this.vim
      .answer(request.body, token, request.ip)
      .catch((error: unknown) => {
        // The service itself failed (its database, say): still an envelope the client can read.
        this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
        return { status: 500 as const, body: soapFault(VimFault.systemError()) };
      });
    if ('sessionCookie' in answer && answer.sessionCookie !== undefined) {
      const secure = request.protocol === 'https' ? '; Secure' : '';
      void reply.header(
        'set-cookie',
        answer.sessionCookie === null
          ? `${SOAP_SESSION_COOKIE}=; Path=/; HttpOnly; Max-Age=0${secure}`
          : `${SOAP_SESSION_COOKIE}="${answer.sessionCookie}"; Path=/; HttpOnly${secure}`,
      );
    }
    await reply.code(answer.status).type('text/xml; charset=utf-8').send(answer.body);
  }
}
