import type { SoapDatastore } from './inventory';
import { inventoryOf, ROOT_FOLDER, SESSION_MANAGER } from './inventory';
import { retrieveProperties } from './property-collector';
import type { SoapRequest } from './soap-envelope';
import { parseSoapRequest, soapFault, soapResponse, textArgument } from './soap-envelope';
import { VimFault } from './vim-faults';
import type { VimValue } from './vim-values';
import { fieldXml, vim } from './vim-values';
import { element, moref } from './xml-text';

/** A login as the vim25 `UserSession` shows it. */
export interface SoapLogin {
  readonly user: string;
  /** `UserSession.key`: names the login without being its token. */
  readonly key: string;
  readonly loginTime: Date;
  readonly lastActiveTime: Date;
  /** Whether the login may see the datastores (`System.Read`, as the REST datastore list asks). */
  readonly readsInventory: boolean;
}

/**
 * What the façade needs of the service: the same users, passwords and login sessions as the REST
 * login, so a SOAP login's token is a REST login too. Nothing else of the engine.
 */
export interface SoapLogins {
  /**
   * A new login's token and session, or undefined when the credentials are wrong or the user or
   * the client's address may not try now.
   */
  login(
    user: string,
    password: string,
    address: string,
  ): Promise<{ token: string; login: SoapLogin } | undefined>;
  /** The login of a token, or undefined when it is unknown or ended. */
  resolve(token: string): Promise<SoapLogin | undefined>;
  logout(token: string): Promise<void>;
}

/** The datastores the inventory shows, with their space as the file system tells it. */
export interface SoapDatastores {
  list(): Promise<readonly SoapDatastore[]>;
}

/** What `about` says of this server. */
export interface SoapServerFacts {
  readonly instanceUuid: string;
  readonly version: string;
}

/** The HTTP answer to one SOAP call. */
export interface SoapAnswer {
  readonly status: 200 | 500;
  readonly body: string;
  /** A new login's token to set as the session cookie; `null` clears it. */
  readonly sessionCookie?: string | null;
}

/** The vim25 API version clients negotiate (`urn:vim25/7.0`); govmomi reads it from `about`. */
const API_VERSION = '7.0';

const userSession = (login: SoapLogin): VimValue =>
  vim.data('UserSession', [
    ['key', vim.string(login.key)],
    ['userName', vim.string(login.user)],
    ['fullName', vim.string(login.user)],
    ['loginTime', vim.dateTime(login.loginTime)],
    ['lastActiveTime', vim.dateTime(login.lastActiveTime)],
    ['locale', vim.string('en')],
    ['messageLocale', vim.string('en')],
    ['extensionSession', vim.boolean(false)],
    ['callCount', vim.long(0)],
  ]);

/**
 * A minimal vim25 endpoint (`/sdk`) for clients that log in over SOAP before they use the REST
 * API (govc, Terraform's and Packer's vSphere plugins): the service content, login, logout,
 * session checks (`SessionIsActive`, the `currentSession` property), the time, and a
 * read-only inventory (one datacenter and its datastores) for the property collector, which is
 * how govc finds a datastore by name. Every other method is a proper SOAP fault:
 * `NotAuthenticated` without a login, `NotSupported` with one.
 */
export class VimService {
  constructor(
    private readonly logins: SoapLogins,
    private readonly datastores: SoapDatastores,
    private readonly facts: SoapServerFacts,
    private readonly clock: () => Date,
  ) {}

  /** The answer to one SOAP request from the client at `address`. */
  async answer(
    body: unknown,
    sessionToken: string | undefined,
    address: string,
  ): Promise<SoapAnswer> {
    try {
      return await this.call(parseSoapRequest(body), sessionToken, address);
    } catch (error) {
      if (error instanceof VimFault) return { status: 500, body: soapFault(error) };
      throw error;
    }
  }

  private async call(
    request: SoapRequest,
    token: string | undefined,
    address: string,
  ): Promise<SoapAnswer> {
    const ok = (content: string): SoapAnswer => ({
      status: 200,
      body: soapResponse(request.method, content),
    });
    switch (request.method) {
      case 'RetrieveServiceContent':
        return ok(`<returnval>${this.serviceContent()}</returnval>`);
      case 'CurrentTime':
        return ok(fieldXml('returnval', vim.dateTime(this.clock())));
      case 'Login': {
        const user = textArgument(request, 'userName') ?? '';
        const password = textArgument(request, 'password') ?? '';
        const opened = await this.logins.login(user, password, address);
        if (!opened) throw VimFault.invalidLogin();
        return {
          ...ok(fieldXml('returnval', userSession(opened.login))),
          sessionCookie: opened.token,
        };
      }
      default:
        break;
    }
    const login = token === undefined ? undefined : await this.logins.resolve(token);
    if (!login || token === undefined) throw VimFault.notAuthenticated();
    switch (request.method) {
      case 'Logout':
        await this.logins.logout(token);
        return { ...ok(''), sessionCookie: null };
      case 'RetrieveProperties':
        return ok(
          (await this.retrieve(request, login))
            .map((found) => `<returnval>${found}</returnval>`)
            .join(''),
        );
      case 'RetrievePropertiesEx': {
        // The inventory is small: everything comes in the first answer, with no token to go on.
        const found = await this.retrieve(request, login);
        return ok(
          found.length === 0
            ? ''
            : `<returnval>${found.map((content) => `<objects>${content}</objects>`).join('')}</returnval>`,
        );
      }
      case 'ContinueRetrievePropertiesEx':
      case 'CancelRetrievePropertiesEx':
        throw VimFault.invalidArgument('token');
      case 'SessionIsActive': {
        const active =
          textArgument(request, 'sessionID') === login.key &&
          textArgument(request, 'userName') === login.user;
        return ok(element('returnval', String(active)));
      }
      default:
        throw VimFault.notSupported(request.method);
    }
  }

  private async retrieve(request: SoapRequest, login: SoapLogin): Promise<string[]> {
    const datastores = login.readsInventory ? await this.datastores.list() : [];
    return retrieveProperties(
      request.arguments.specSet,
      inventoryOf(datastores, userSession(login)),
    );
  }

  private serviceContent(): string {
    const about = [
      element('name', 'cls-engine'),
      element('fullName', `cls-engine ${this.facts.version} (vSphere Content Library service)`),
      element('vendor', 'cls-engine'),
      element('version', this.facts.version),
      element('build', '0'),
      element('localeVersion', 'INTL'),
      element('localeBuild', '000'),
      element('osType', 'linux-x64'),
      element('productLineId', 'vpx'),
      element('apiType', 'VirtualCenter'),
      element('apiVersion', API_VERSION),
      element('instanceUuid', this.facts.instanceUuid),
      element('licenseProductName', 'cls-engine'),
      element('licenseProductVersion', this.facts.version),
    ].join('');
    return [
      moref('rootFolder', ROOT_FOLDER.type, ROOT_FOLDER.id),
      moref('propertyCollector', 'PropertyCollector', 'propertyCollector'),
      moref('viewManager', 'ViewManager', 'ViewManager'),
      `<about>${about}</about>`,
      moref('sessionManager', SESSION_MANAGER.type, SESSION_MANAGER.id),
      // govmomi's finder holds one, though only paths ending in "..." call it.
      moref('searchIndex', 'SearchIndex', 'SearchIndex'),
    ].join('');
  }
}
