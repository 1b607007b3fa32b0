import type { FastifyInstance } from 'fastify';

import { InvalidRequest, message } from '@cls/domain';

import { checkJsonBody } from './json-hygiene';

export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/** Routes whose body is file bytes: never parsed, never buffered, left to the handler as a stream. */
export const STREAMED_BODY_PREFIX = '/cls/data/';

/** The vim25 SOAP endpoint: its body is XML, handed over as text. */
export const SOAP_PATH = '/sdk';

function invalidRequest(id: string, text: string): InvalidRequest {
  return new InvalidRequest(message(id, text, [text]));
}

/**
 * Every API body is JSON whatever its declared content type (curl's default is form-encoded),
 * but `/sdk`'s, which is SOAP XML and stays text; an empty body is "no body" (keep-alive without
 * progress). Malformed JSON, bodies over 1 MiB and bodies nested too deep are `invalid_request`;
 * strings too long or not storable are `invalid_argument`. Data-plane bodies pass through
 * untouched.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, payload, done) => {
    if (request.url.startsWith(STREAMED_BODY_PREFIX)) {
      done(null, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    payload.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > JSON_BODY_LIMIT_BYTES) {
        payload.removeAllListeners('data');
        payload.resume();
        done(
          invalidRequest(
            'com.vmware.vapi.rest.body_too_large',
            `The request body exceeds ${JSON_BODY_LIMIT_BYTES} bytes.`,
          ),
          undefined,
        );
        return;
      }
      chunks.push(chunk);
    });
    payload.on('error', (error) => done(error, undefined));
    payload.on('end', () => {
      if (length > JSON_BODY_LIMIT_BYTES) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (request.url === SOAP_PATH || request.url.startsWith(`${SOAP_PATH}?`)) {
        done(null, text);
        return;
      }
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        const reason = error instanceof Error ? error.message : 'malformed JSON';
        done(
          invalidRequest(
            'com.vmware.vapi.rest.malformed_json',
            `The request body is not valid JSON: ${reason}`,
          ),
          undefined,
        );
        return;
      }
      try {
        checkJsonBody(body);
      } catch (error) {
        done(error as Error, undefined);
        return;
      }
      done(null, body);
    });
  });
}
