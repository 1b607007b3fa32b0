import type { SoapRequest } from './soap-envelope';
import { parseSoapRequest, soapFault, soapResponse, textArgument, textOf } from './soap-envelope';
import { VimFault } from './vim-faults';
import { element, moref } from './xml-text';

/** A login as the vim25 `UserSession` shows it. */
export interface SoapLogin {
  readonly user: string;
  /** `UserSession.key`: names the login without being its token. */
  readonly key: string;
  readonly loginTime: Date;
  readonly lastActiveTime: Date;
}

/**
 * What the façade needs of the service: the same users, passwords and login sessions as the REST
 * login, so a SOAP login's token is a REST login too. Nothing else of the engine.
 */
export interface SoapLogins {
  /** A new login's token and session, or undefined when the credentials are wrong. */
  login(user: string, password: string): Promise<{ token: string; login: SoapLogin } | undefined>;
  /** The login of a token, or undefined when it is unknown or ended. */
  resolve(token: string): Promise<SoapLogin | undefined>;
  logout(token: string): Promise<void>;
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

const dateTime = (date: Date): string => date.toISOString();

function userSession(login: SoapLogin): string {
  return [
    element('key', login.key),
    element('userName', login.user),
    element('fullName', login.user),
    element('loginTime', dateTime(login.loginTime)),
    element('lastActiveTime', dateTime(login.lastActiveTime)),
    element('locale', 'en'),
    element('messageLocale', 'en'),
    element('extensionSession', 'false'),
    element('callCount', '0'),
  ].join('');
}

/** Children of an element as a list (one child parses as an object, several as an array). */
const children = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Whether a `RetrieveProperties` asks only for `SessionManager.currentSession`: how govmomi checks
 * that a saved login still holds. The inventory itself is not served.
 */
function asksForCurrentSession(request: SoapRequest): boolean {
  const specs = children(request.arguments.specSet) as Record<string, unknown>[];
  return (
    specs.length > 0 &&
    specs.every((spec) => {
      const properties = children(spec.propSet) as Record<string, unknown>[];
      const objects = children(spec.objectSet) as Record<string, unknown>[];
      return (
        properties.length > 0 &&
        properties.every(
          (property) =>
            textOf(property.type) === 'SessionManager' &&
            children(property.pathSet).every((path) => textOf(path) === 'currentSession'),
        ) &&
        objects.length > 0 &&
        objects.every((object) => textOf(object.obj) === 'SessionManager')
      );
    })
  );
}

/**
 * A minimal vim25 endpoint (`/sdk`) for clients that log in over SOAP before they use the REST
 * API (govc, Terraform's and Packer's vSphere plugins): the service content, login, logout,
 * session checks (`SessionIsActive`, the `currentSession` property) and the time. Every other method is a proper SOAP fault: `NotAuthenticated`
 * without a login, `NotSupported` with one.
 */
export class VimService {
  constructor(
    private readonly logins: SoapLogins,
    private readonly facts: SoapServerFacts,
    private readonly clock: () => Date,
  ) {}

  async answer(body: unknown, sessionToken: string | undefined): Promise<SoapAnswer> {
    try {
      return await this.call(parseSoapRequest(body), sessionToken);
    } catch (error) {
      if (error instanceof VimFault) return { status: 500, body: soapFault(error) };
      throw error;
    }
  }

  private async call(request: SoapRequest, token: string | undefined): Promise<SoapAnswer> {
    const ok = (content: string): SoapAnswer => ({
      status: 200,
      body: soapResponse(request.method, content),
    });
    switch (request.method) {
      case 'RetrieveServiceContent':
        return ok(`<returnval>${this.serviceContent()}</returnval>`);
      case 'CurrentTime':
        return ok(element('returnval', dateTime(this.clock())));
      case 'Login': {
        const user = textArgument(request, 'userName') ?? '';
        const password = textArgument(request, 'password') ?? '';
        const opened = await this.logins.login(user, password);
        if (!opened) throw VimFault.invalidLogin();
        return {
          ...ok(`<returnval>${userSession(opened.login)}</returnval>`),
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
        if (!asksForCurrentSession(request)) throw VimFault.notSupported(request.method);
        return ok(
          `<returnval>${moref('obj', 'SessionManager', 'SessionManager')}<propSet><name>currentSession</name><val xsi:type="UserSession">${userSession(login)}</val></propSet></returnval>`,
        );
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
      moref('rootFolder', 'Folder', 'group-d1'),
      moref('propertyCollector', 'PropertyCollector', 'propertyCollector'),
      moref('viewManager', 'ViewManager', 'ViewManager'),
      `<about>${about}</about>`,
      moref('sessionManager', 'SessionManager', 'SessionManager'),
    ].join('');
  }
}
