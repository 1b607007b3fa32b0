import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect as connectTcp, createServer as createTcpServer } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';

import type { HttpSourceOptions } from './http-pull-source';
import { openHttpSource } from './http-pull-source';
import { OutboundPolicy } from './outbound-policy';
import { PullSourceError } from './pull-source-error';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];
const loopbackOnly = new OutboundPolicy({ allowedNetworks: ['127.0.0.0/8'] });
const publicOnly = new OutboundPolicy({ allowedNetworks: [] });

async function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

async function serve(handler: Handler): Promise<{ url: (path: string) => URL; port: number }> {
  const port = await listen(createServer(handler));
  return { port, url: (path) => new URL(`http://127.0.0.1:${port}${path}`) };
}

function open(url: URL, overrides: Partial<HttpSourceOptions> = {}) {
  return openHttpSource({
    url,
    offset: 0,
    policy: loopbackOnly,
    stallMs: 5_000,
    env: {},
    ...overrides,
  });
}

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

async function failure(promise: Promise<unknown>): Promise<PullSourceError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PullSourceError);
  return error as PullSourceError;
}

/** A 200 with `content`, or a 206 when asked for a range (unless `ignoreRange`). */
function fileHandler(content: string, { ignoreRange = false } = {}): Handler {
  return (request, response) => {
    const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    if (match === null || ignoreRange) {
      response.writeHead(200, { 'content-length': content.length }).end(content);
      return;
    }
    const first = Number(match[1]);
    if (first >= content.length) {
      response.writeHead(416, { 'content-range': `bytes */${content.length}` }).end();
      return;
    }
    response
      .writeHead(206, {
        'content-range': `bytes ${first}-${content.length - 1}/${content.length}`,
        'content-length': content.length - first,
      })
      .end(content.slice(first));
  };
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections?.();
          server.close(() => resolve());
        }),
    ),
  );
});

/**
 * A raw server that answers `head` and then the `body` in one write, and closes the connection
 * (FIN) right after, as python's http.server does: with a reader holding back, the HTTP parser
 * is paused when the FIN comes, with nothing left to parse.
 */
async function closingAfterBody(head: string, body: Buffer): Promise<URL> {
  const server = createTcpServer((socket) => {
    socket.once('data', () => {
      socket.write(Buffer.concat([Buffer.from(head), body]));
      setTimeout(() => socket.end(), 50);
    });
  });
  servers.push(server as unknown as Server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/file.iso`);
}

describe('openHttpSource', () => {
  describe('responses', () => {
    it.each([
      ['a Content-Length', (body: Buffer) => `Content-Length: ${body.length}\r\n`],
      ['no length (the end of the connection ends it)', () => ''],
    ])(
      'reads a body with %s whose server closes the connection while the reader holds back',
      async (_framing, lengthHeader) => {
        // Python's http.server and many appliances answer so: the whole body, then FIN. The
        // reader is slower than the network, so the HTTP parser is paused when the FIN comes.
        // The last bytes fill the reader's buffer: the parser pauses with nothing left to parse.
        const body = Buffer.alloc(100 * 1024, 0x61);
        const url = await closingAfterBody(
          `HTTP/1.1 200 OK\r\n${lengthHeader(body)}Connection: close\r\n\r\n`,
          body,
        );

        const source = await open(url);
        await delay(200);
        let received = 0;
        for await (const chunk of source.body) {
          received += (chunk as Buffer).length;
          await delay(1);
        }
        expect(received).toBe(body.length);
      },
    );

    it('fails a body cut short by the server closing while the reader holds back, never ending it early', async () => {
      const url = await closingAfterBody(
        'HTTP/1.1 200 OK\r\nContent-Length: 204800\r\nConnection: close\r\n\r\n',
        Buffer.alloc(100 * 1024, 0x61),
      );

      const source = await open(url);
      await delay(200);
      const error = await failure(text(source.body));
      expect(error.permanent).toBe(false);
    });

    it('streams a 200 body from the start', async () => {
      const { url } = await serve(fileHandler('hello world'));

      const source = await open(url('/file.bin'));

      expect(source).toMatchObject({ resumedFrom: 0, totalSize: 11, warnings: [] });
      expect(await text(source.body)).toBe('hello world');
    });

    it('resumes with a Range request answered by 206', async () => {
      const ranges: (string | undefined)[] = [];
      const { url } = await serve((request, response) => {
        ranges.push(request.headers.range);
        fileHandler('hello world')(request, response);
      });

      const source = await open(url('/file.bin'), { offset: 6 });

      expect(ranges).toEqual(['bytes=6-']);
      expect(source).toMatchObject({ resumedFrom: 6, totalSize: 11 });
      expect(await text(source.body)).toBe('world');
    });

    it('restarts from 0 when the server ignores the Range header', async () => {
      const { url } = await serve(fileHandler('hello world', { ignoreRange: true }));

      const source = await open(url('/file.bin'), { offset: 6 });

      expect(source).toMatchObject({ resumedFrom: 0, totalSize: 11 });
      expect(await text(source.body)).toBe('hello world');
    });

    it('treats 416 at exactly the known size as complete', async () => {
      const { url } = await serve(fileHandler('hello world'));

      const source = await open(url('/file.bin'), { offset: 11 });

      expect(source).toMatchObject({ resumedFrom: 11, totalSize: 11 });
      expect(await text(source.body)).toBe('');
    });

    it('fails permanently on 416 when the source is shorter than the offset', async () => {
      const { url } = await serve(fileHandler('hello world'));

      const error = await failure(open(url('/file.bin'), { offset: 20 }));

      expect(error).toMatchObject({ permanent: true, code: 'BAD_RANGE' });
    });

    it('fails permanently on a 206 that starts elsewhere', async () => {
      const { url } = await serve((_, response) => {
        response.writeHead(206, { 'content-range': 'bytes 0-10/11' }).end('hello world');
      });

      const error = await failure(open(url('/file.bin'), { offset: 6 }));

      expect(error).toMatchObject({ permanent: true, code: 'BAD_RANGE' });
    });

    it('fails permanently on 404 with a message for the user', async () => {
      const { url } = await serve((_, response) => response.writeHead(404).end('nope'));

      const error = await failure(open(url('/missing.iso')));

      expect(error.permanent).toBe(true);
      expect(error.message).toBe(`Source ${url('/missing.iso').href} answered 404 Not Found.`);
    });

    it.each([408, 429, 500, 503])('fails transiently on %i', async (status) => {
      const { url } = await serve((_, response) => response.writeHead(status).end());

      const error = await failure(open(url('/busy')));

      expect(error).toMatchObject({ permanent: false, code: 'HTTP_STATUS' });
    });

    it('sends URL credentials as Basic auth and never shows them or the query', async () => {
      const authorizations: (string | undefined)[] = [];
      const { port } = await serve((request, response) => {
        authorizations.push(request.headers.authorization);
        response.writeHead(403).end();
      });

      const error = await failure(
        open(new URL(`http://alice:s3cret@127.0.0.1:${port}/x.ova?token=abc`)),
      );

      expect(authorizations).toEqual([`Basic ${Buffer.from('alice:s3cret').toString('base64')}`]);
      expect(error.message).toBe(`Source http://127.0.0.1:${port}/x.ova answered 403 Forbidden.`);
    });

    it('fails transiently when nothing listens', async () => {
      const server = createServer();
      const port = await listen(server);
      await new Promise((resolve) => server.close(resolve));

      const error = await failure(open(new URL(`http://127.0.0.1:${port}/`)));

      expect(error).toMatchObject({ permanent: false, code: 'CONNECT_FAILED' });
      expect(error.message).toContain('ECONNREFUSED');
    });
  });

  describe('redirects', () => {
    it('follows a redirect to an allowed URL', async () => {
      const { url } = await serve((request, response) => {
        if (request.url === '/old') response.writeHead(302, { location: '/new' }).end();
        else fileHandler('moved')(request, response);
      });

      const source = await open(url('/old'));

      expect(await text(source.body)).toBe('moved');
    });

    it.each([
      ['a metadata address', 'http://169.254.169.254/latest/meta-data/', 'link-local'],
      ['IPv6 loopback outside the allowed networks', 'http://[::1]:PORT/', 'loopback'],
      ['the unspecified address', 'http://0.0.0.0:PORT/', 'unspecified'],
    ])('refuses a redirect to %s', async (_, target, reason) => {
      const { url, port } = await serve((_request, response) => {
        response.writeHead(307, { location: target.replace('PORT', String(port)) }).end();
      });

      const error = await failure(open(url('/start')));

      expect(error).toMatchObject({ permanent: true, code: 'ADDRESS_REFUSED' });
      expect(error.message).toContain(reason);
    });

    it('refuses a redirect to another scheme', async () => {
      const { url } = await serve((_, response) => {
        response.writeHead(301, { location: 'file:///etc/passwd' }).end();
      });

      const error = await failure(open(url('/start')));

      expect(error).toMatchObject({ permanent: true, code: 'BAD_REDIRECT' });
    });

    it('fails permanently on a redirect loop', async () => {
      const { url } = await serve((request, response) => {
        response.writeHead(302, { location: request.url === '/a' ? '/b' : '/a' }).end();
      });

      const error = await failure(open(url('/a')));

      expect(error).toMatchObject({ permanent: true, code: 'REDIRECT_LOOP' });
    });

    it('fails permanently after five redirects', async () => {
      const { url } = await serve((request, response) => {
        const next = Number(request.url?.slice(1)) + 1;
        response.writeHead(302, { location: `/${next}` }).end();
      });

      const error = await failure(open(url('/0')));

      expect(error).toMatchObject({ permanent: true, code: 'TOO_MANY_REDIRECTS' });
    });
  });

  describe('address policy', () => {
    it('refuses a host name that resolves to loopback when loopback is not allowed', async () => {
      let requests = 0;
      const { port } = await serve((_, response) => {
        requests += 1;
        response.end('secret');
      });

      const error = await failure(
        open(new URL(`http://localhost:${port}/`), { policy: publicOnly }),
      );

      expect(error).toMatchObject({ permanent: true, code: 'ADDRESS_REFUSED' });
      expect(error.message).toMatch(/^Address (127\.0\.0\.1|::1) of localhost is refused/);
      expect(requests).toBe(0);
    });

    it('reaches a host name whose address is allowed', async () => {
      const { port } = await serve(fileHandler('local'));

      const source = await open(new URL(`http://localhost:${port}/`));

      expect(await text(source.body)).toBe('local');
    });
  });

  describe('stalls and cancellation', () => {
    it('fails transiently when the body stops arriving', async () => {
      const { url } = await serve((_, response) => {
        response.writeHead(200, { 'content-length': 1000 });
        response.write('abc');
      });
      const source = await open(url('/slow'), { stallMs: 300 });
      const started = Date.now();

      const error = await failure(text(source.body));

      expect(error).toMatchObject({ permanent: false, code: 'STALLED' });
      expect(error.message).toBe(`No bytes from ${url('/slow').href} for 0.3 s.`);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('does not count a slow reader as a stall', async () => {
      const content = 'x'.repeat(1024 * 1024);
      const { url } = await serve(fileHandler(content));
      const source = await open(url('/big'), { stallMs: 200 });

      // The reader itself is slow here, so this wait is the point of the test, not a sync.
      source.body.pause();
      await delay(600);

      expect(await text(source.body)).toHaveLength(content.length);
    });

    it('fails transiently when no response comes within stallMs', async () => {
      const { url } = await serve(() => undefined);

      const error = await failure(open(url('/silent'), { stallMs: 300 }));

      expect(error).toMatchObject({ permanent: false, code: 'NO_RESPONSE' });
    });

    it('rejects promptly when aborted while waiting for the response', async () => {
      const { url } = await serve(() => undefined);
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);

      await expect(open(url('/silent'), { signal: controller.signal })).rejects.toMatchObject({
        name: 'AbortError',
      });
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('destroys the body promptly when aborted while streaming', async () => {
      const { url } = await serve((_, response) => {
        response.writeHead(200, { 'content-length': 1000 });
        response.write('abc');
      });
      const controller = new AbortController();
      const source = await open(url('/slow'), { signal: controller.signal });
      const started = Date.now();
      setTimeout(() => controller.abort(), 100);

      await expect(text(source.body)).rejects.toMatchObject({ name: 'AbortError' });
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('rejects at once when already aborted', async () => {
      const { url } = await serve(fileHandler('never'));

      await expect(open(url('/'), { signal: AbortSignal.abort() })).rejects.toMatchObject({
        name: 'AbortError',
      });
    });
  });

  describe('through a proxy from the environment', () => {
    /** A CONNECT proxy that records the targets it was asked for. */
    async function startProxy(): Promise<{ url: string; targets: string[] }> {
      const targets: string[] = [];
      const proxy = createServer((_, response) => response.writeHead(405).end());
      proxy.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
        targets.push(request.url ?? '');
        const [host = '', port = ''] = (request.url ?? '').split(/:(?=\d+$)/);
        const upstream = connectTcp(Number(port), host, () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(client).pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
      const port = await listen(proxy);
      return { url: `http://127.0.0.1:${port}`, targets };
    }

    it('tunnels through HTTP_PROXY', async () => {
      const proxy = await startProxy();
      const { url, port } = await serve(fileHandler('via proxy'));

      const source = await open(url('/file'), { env: { HTTP_PROXY: proxy.url } });

      expect(await text(source.body)).toBe('via proxy');
      expect(proxy.targets).toEqual([`127.0.0.1:${port}`]);
    });

    it('still refuses targets outside the policy before asking the proxy', async () => {
      const proxy = await startProxy();
      const { url } = await serve(fileHandler('secret'));

      const error = await failure(
        open(url('/file'), { policy: publicOnly, env: { http_proxy: proxy.url } }),
      );

      expect(error).toMatchObject({ permanent: true, code: 'ADDRESS_REFUSED' });
      expect(proxy.targets).toEqual([]);
    });

    it('connects directly, through the policy, to hosts under NO_PROXY', async () => {
      const proxy = await startProxy();
      const { url } = await serve(fileHandler('direct'));

      const source = await open(url('/file'), {
        env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      });

      expect(await text(source.body)).toBe('direct');
      expect(proxy.targets).toEqual([]);
    });
  });
});
