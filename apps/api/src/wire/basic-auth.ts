import { unauthenticated } from '@cls/access';

/** `Authorization: Basic base64(user:password)`; anything else is `unauthenticated`. */
export function basicCredentials(header: string | undefined): { user: string; password: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) throw unauthenticated();
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw unauthenticated();
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
