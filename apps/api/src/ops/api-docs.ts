import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { StaticDocumentSpec } from '@fastify/swagger';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

const API_DOCS_PREFIX = '/api-docs';
const CONTRACT_DOCUMENT_PATH = `${API_DOCS_PREFIX}/content-library.json`;

/** `apps/api/openapi/`, found from the sources or from `dist/` (the nearest folder with a package.json). */
function openapiFolder(): string {
  let directory = __dirname;
  while (!existsSync(join(directory, 'package.json'))) {
    if (dirname(directory) === directory) throw new Error(`no package.json above ${__dirname}`);
    directory = dirname(directory);
  }
  return join(directory, 'apps', 'api', 'openapi');
}

function readDocument(name: string): unknown {
  return JSON.parse(readFileSync(join(openapiFolder(), name), 'utf8'));
}

/**
 * Operations of the contract's document this server does not serve (yet): updating a library's or
 * an item's metadata. They are left out of the document it serves, so `/api-docs` describes only
 * what answers; the README lists them. `test/e2e/api-docs.e2e-spec.ts` checks both documents
 * against the routes.
 */
const NOT_SERVED: Readonly<Record<string, readonly string[]>> = {
  '/api/content/library/{library_id}': ['patch'],
  '/api/content/local-library/{library_id}': ['patch'],
  '/api/content/library/item/{library_item_id}': ['patch'],
  '/rest/com/vmware/content/library/id:{library_id}': ['patch'],
  '/rest/com/vmware/content/local-library/id:{library_id}': ['patch'],
  '/rest/com/vmware/content/library/item/id:{library_item_id}': ['patch'],
};

type PathsDocument = { paths: Record<string, Record<string, unknown>> };

/** The contract's document without the operations in NOT_SERVED. */
export function servedContract(contract: PathsDocument): PathsDocument {
  const paths = Object.fromEntries(
    Object.entries(contract.paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).filter(([method]) => !NOT_SERVED[path]?.includes(method)),
      ),
    ]),
  );
  return { ...contract, paths };
}

/**
 * `/api-docs`: Swagger UI over two documents, ours (`/api-docs/json`, written by hand beside the
 * controllers it describes) and the contract's (VMware's Swagger 2.0 subset, a verbatim copy of
 * `../shared/contract`, since that folder is not shipped, less what is NOT_SERVED). Both are
 * public, like the contract.
 */
export async function serveApiDocs(app: NestFastifyApplication): Promise<void> {
  const own = readDocument('cls-engine.openapi.json') as StaticDocumentSpec['document'];
  const contract = servedContract(readDocument('content-library.swagger.json') as PathsDocument);
  await app.register(fastifySwagger, { mode: 'static', specification: { document: own } });
  app
    .getHttpAdapter()
    .getInstance()
    .get(CONTRACT_DOCUMENT_PATH, (_request, reply) => reply.send(contract));
  await app.register(fastifySwaggerUi, {
    routePrefix: API_DOCS_PREFIX,
    uiConfig: {
      urls: [
        { url: `${API_DOCS_PREFIX}/json`, name: 'cls-engine (our endpoints)' },
        { url: CONTRACT_DOCUMENT_PATH, name: 'vSphere Content Library (contract)' },
      ],
    },
  });
}
