import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';

/** VMware's own Swagger shapes for every operation (shared/contract, beside the checkout). */
const SPEC_PATH = resolve(__dirname, '../../../../shared/contract/openapi-content-library.json');

type Schema = Record<string, unknown>;

interface SwaggerResponse {
  schema?: Schema;
}

interface Swagger {
  paths: Record<string, Record<string, { responses: Record<string, SwaggerResponse> }>>;
  definitions: Record<string, Schema>;
}

/**
 * Closes every object schema (`additionalProperties: false`) so a field VMware does not define
 * fails the check: the wire format cannot drift, not even by adding things.
 */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: Schema = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, closeObjects(value)]),
  );
  if (copy.properties !== undefined && copy.additionalProperties === undefined)
    copy.additionalProperties = false;
  return copy;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly query: { name: string; value?: string } | undefined;
  readonly responses: Record<string, SwaggerResponse>;
  readonly key: string;
}

function routeOf(key: string, method: string, responses: Record<string, SwaggerResponse>): Route {
  const [path = '', queryPart] = key.split('?');
  const pattern = new RegExp(
    `^${path.replace(/[.*+^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
  );
  let query: Route['query'];
  if (queryPart !== undefined) {
    const [name = '', value] = queryPart.split('=');
    query = value === undefined ? { name } : { name, value };
  }
  return { method, pattern, query, responses, key };
}

const PASCAL: Record<string, string> = {};

function pascal(errorType: string): string {
  return (PASCAL[errorType] ??= errorType
    .toLowerCase()
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(''));
}

export class ContractChecker {
  private readonly spec: Swagger;
  private readonly ajv: Ajv;
  private readonly routes: Route[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    this.spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Swagger;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    this.ajv.addSchema({
      $id: 'contract',
      definitions: closeObjects(this.spec.definitions) as Schema,
    });
    this.routes = Object.entries(this.spec.paths).flatMap(([key, operations]) =>
      Object.entries(operations).map(([method, operation]) =>
        routeOf(key, method.toUpperCase(), operation.responses),
      ),
    );
  }

  /** The documented operation for a request, preferring the one whose query discriminator matches. */
  route(method: string, url: URL): Route | undefined {
    const candidates = this.routes.filter(
      (route) => route.method === method && route.pattern.test(url.pathname),
    );
    const withQuery = candidates.find(
      (route) =>
        route.query !== undefined &&
        url.searchParams.has(route.query.name) &&
        (route.query.value === undefined ||
          url.searchParams.get(route.query.name) === route.query.value),
    );
    return withQuery ?? candidates.find((route) => route.query === undefined);
  }

  /**
   * Checks one response against VMware's shapes. Errors are checked against the structure of their
   * error type in the request's style; successes against the operation's documented response.
   * Returns a list of problems (empty when the response conforms).
   */
  check(method: string, url: URL, status: number, body: unknown): string[] {
    const rest = url.pathname.startsWith('/rest/');
    if (status >= 400) {
      const envelope = (rest ? (body as { value?: unknown })?.value : body) as
        { error_type?: unknown } | undefined;
      const errorType = typeof envelope?.error_type === 'string' ? envelope.error_type : '';
      const name = rest
        ? `vapi.std.errors.${errorType.toLowerCase()}_error`
        : `VapiStdErrors${pascal(errorType)}`;
      const fallback = rest ? 'vapi.std.errors.not_found_error' : 'VapiStdErrorsNotFound';
      return this.validate(this.spec.definitions[name] ? name : fallback, body);
    }
    const route = this.route(method, url);
    if (!route) return [`no documented operation for ${method} ${url.pathname}${url.search}`];
    const response = route.responses[String(status)];
    if (!response) return [`${route.key} ${method} does not document status ${status}`];
    if (!response.schema)
      return body === undefined
        ? []
        : [`${route.key} ${method} ${status} documents no body, got one`];
    return this.validateSchema(`${route.key} ${method} ${status}`, response.schema, body);
  }

  private validate(definition: string, body: unknown): string[] {
    return this.validateSchema(definition, { $ref: `contract#/definitions/${definition}` }, body);
  }

  private validateSchema(key: string, schema: Schema, body: unknown): string[] {
    let validator = this.validators.get(key);
    if (!validator) {
      const rewritten = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/definitions/', '"contract#/definitions/'),
      ) as Schema;
      validator = this.ajv.compile(closeObjects(rewritten) as Schema);
      this.validators.set(key, validator);
    }
    if (validator(body)) return [];
    return (validator.errors ?? []).map(
      (error) =>
        `${key}: ${error.instancePath || '(root)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
    );
  }
}
