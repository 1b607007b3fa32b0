import type { FastifyInstance } from 'fastify';

/**
 * Every JSON answer says `Content-Type: application/json`, without parameters: JSON is UTF-8 by
 * definition (RFC 8259), and vSphere clients (Ansible's `vmware_rest`) compare the header exactly.
 * Fastify itself adds `; charset=utf-8`.
 */
export function answerPlainJson(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && /^application\/json\s*;/i.test(type))
      void reply.header('content-type', 'application/json');
    done(null, payload);
  });
}
