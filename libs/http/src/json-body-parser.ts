import type { FastifyInstance } from 'fastify';

import { InvalidRequest, message } from '@cls/domain';

export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Every API body is JSON whatever its declared content type (curl's default is form-encoded); an
 * empty body is "no body" (keep-alive without progress). Malformed JSON is `invalid_request`.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT_BYTES },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text));
      } catch (error) {
        const reason = error instanceof Error ? error.message : 'malformed JSON';
        done(
          new InvalidRequest(
            message(
              'com.vmware.vapi.rest.malformed_json',
              `The request body is not valid JSON: ${reason}`,
              [reason],
            ),
          ),
          undefined,
        );
      }
    },
  );
}
