import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

import { migrate } from '@cls/database';
import type { TestDatabase } from '@cls/testing';
import { createTestDatabase, deploymentEnv, dropRedisKeys } from '@cls/testing';

const ROOT = resolve(__dirname, '../..');
/** Ours and the contract's, as `/api-docs` serves them. */
const DOCUMENT_URLS = ['/api-docs/json', '/api-docs/content-library.json'];
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head'];

interface Route {
  readonly method: string | string[];
  readonly url: string;
}

/**
 * Builds the built API as `main.js` does and prints its routes and the two documents it serves at
 * `/api-docs`: every route, the plugins' (API docs, queue dashboard) included, and those of the
 * controllers, registered at `init()`. Plain Node, not Jest: some of the API's dependencies load
 * ES modules at run time.
 */
const LIST_ROUTES = `
const { createApiApplication } = require('./dist/apps/api/src/api-application.js');
const { loadConfig } = require('./dist/libs/config/src/index.js');
(async () => {
  const all = [];
  const controllers = [];
  const keep = (into) => (route) => { into.push({ method: route.method, url: route.url }); };
  const app = await createApiApplication(loadConfig(), { logger: false, withWorkers: false, onRoute: keep(all) });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', keep(controllers));
  await app.init();
  const documents = [];
  for (const url of ${JSON.stringify(DOCUMENT_URLS)}) documents.push((await fastify.inject({ url })).json());
  await app.close();
  process.stdout.write(JSON.stringify({ all, controllers, documents }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/**
 * A route as the documents and the router both can say it: the method and the path with its
 * parameters unnamed. The /rest style's `id:{…}` segment is one parameter, and a query string
 * (the action selectors) is not part of the route.
 */
function routeKey(method: string, path: string): string {
  const shape = path
    .split('?')[0]!
    .replace(/id:\{[^}]+\}/g, '{}')
    .replace(/\{[^}]+\}/g, '{}')
    .replace(/:[A-Za-z_]+/g, '{}');
  return `${method.toUpperCase()} ${shape}`;
}

interface PathsDocument {
  readonly paths: Record<string, Record<string, unknown>>;
}

function documentedRoutes(documents: readonly PathsDocument[]): Set<string> {
  const routes = new Set<string>();
  for (const document of documents)
    for (const [path, operations] of Object.entries(document.paths))
      for (const method of Object.keys(operations).filter((key) => METHODS.includes(key)))
        routes.add(routeKey(method, path));
  return routes;
}

function keysOf(routes: readonly Route[]): Set<string> {
  return new Set(
    routes.flatMap((route) =>
      [route.method]
        .flat()
        // Fastify answers HEAD for every GET by itself.
        .filter((method) => method !== 'HEAD' && method !== 'OPTIONS')
        .map((method) => routeKey(method, route.url)),
    ),
  );
}

describe('the served API documents and the routes', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let served: { all: Route[]; controllers: Route[]; documents: PathsDocument[] };

  beforeAll(async () => {
    database = await createTestDatabase('api_docs');
    await migrate(database.url);
    env = deploymentEnv(database.url);
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', LIST_ROUTES], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    served = JSON.parse(stdout) as typeof served;
  });

  afterAll(async () => {
    await database?.drop();
    if (env) {
      await dropRedisKeys(env.REDIS_PREFIX!);
      await rm(env.STORAGE_ROOT!, { recursive: true, force: true });
    }
  });

  it('documents every route a controller serves', () => {
    const documented = documentedRoutes(served.documents);
    expect(served.controllers.length).toBeGreaterThan(50);
    expect([...keysOf(served.controllers)].filter((route) => !documented.has(route))).toEqual([]);
  });

  it('serves every route the documents describe', () => {
    const routes = keysOf(served.all);
    for (const document of served.documents)
      expect(Object.keys(document.paths).length).toBeGreaterThan(10);
    expect([...documentedRoutes(served.documents)].filter((route) => !routes.has(route))).toEqual(
      [],
    );
  });
});
