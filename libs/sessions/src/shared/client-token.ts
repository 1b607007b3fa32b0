import { createHash } from 'node:crypto';

import { invalidArgument, uuidFromHex } from '@cls/domain';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function requireUuidToken(clientToken: string | undefined): string | undefined {
  if (clientToken !== undefined && !isUuid(clientToken)) {
    throw invalidArgument('client_token', `"${clientToken}" is not a UUID`);
  }
  return clientToken?.toLowerCase();
}

/**
 * A name-based (version 5 layout) UUID from the caller, the kind of object and the client token:
 * a retried create lands on the same stream and finds its own earlier result.
 */
export function idFromClientToken(kind: string, user: string, clientToken: string): string {
  const bytes = createHash('sha1')
    .update(`cls-engine\u0000${kind}\u0000${user}\u0000${clientToken}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return uuidFromHex(bytes.toString('hex'));
}
