import type {
  Server as HttpServer,
  IncomingMessage,
  RequestListener,
  ServerResponse,
} from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import type { TlsIdentity } from './tls-identity';

/** Limits Fastify sets on its server, which the TLS one must share (a large upload runs long). */
const SHARED_LIMITS = [
  'timeout',
  'keepAliveTimeout',
  'requestTimeout',
  'headersTimeout',
  'maxRequestsPerSocket',
] as const;

/**
 * Serves the one Fastify application on a TLS port beside its plain one: Fastify's server factory
 * hands the same request handler to both servers, so routes, hooks and limits are shared, and
 * `request.protocol` tells a data-plane URL which scheme the client came in on.
 */
export class HttpsListener {
  private http: HttpServer | undefined;
  private https: HttpsServer | undefined;

  constructor(private readonly identity: TlsIdentity) {}

  /** For `new FastifyAdapter({ serverFactory })`. */
  readonly serverFactory = (
    handler: RequestListener<typeof IncomingMessage, typeof ServerResponse>,
  ): HttpServer => {
    this.http = createHttpServer(handler);
    this.https = createHttpsServer({ cert: this.identity.cert, key: this.identity.key }, handler);
    return this.http;
  };

  /** Listens once the application is initialised (Fastify has configured its own server). */
  async listen(port: number, host: string): Promise<number> {
    const { http, https } = this;
    if (!http || !https) throw new Error('the HTTPS listener was not given to Fastify');
    for (const limit of SHARED_LIMITS)
      (https as unknown as Record<string, unknown>)[limit] = http[limit];
    await new Promise<void>((resolve, reject) => {
      https.once('error', reject);
      https.listen(port, host, () => {
        https.off('error', reject);
        resolve();
      });
    });
    return (https.address() as AddressInfo).port;
  }

  /** Cuts every connection, requests in flight included (the end of a shutdown's grace). */
  closeAllConnections(): void {
    this.https?.closeAllConnections();
  }

  /** Stops taking connections; requests in flight finish, as on the plain port. */
  async close(): Promise<void> {
    const { https } = this;
    if (!https?.listening) return;
    const closed = new Promise<void>((resolve) => https.close(() => resolve()));
    https.closeIdleConnections();
    await closed;
  }
}
