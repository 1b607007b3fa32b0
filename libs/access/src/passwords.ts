import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

import { Semaphore } from 'async-mutex';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keyLength: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/**
 * scrypt runs on libuv's thread pool, which file I/O (staging, downloads) shares: a flood of
 * logins must never take all of it, so at most this many hashes run at once, the rest in turn.
 */
export const HASHING_CONCURRENCY = 2;
const hashing = new Semaphore(HASHING_CONCURRENCY);

/** Runs `work` (a hash) when a hashing slot is free. */
export const withHashingSlot = <T>(work: () => Promise<T>): Promise<T> =>
  hashing.runExclusive(work);

/** scrypt cost: about 50 ms a hash here, slow enough to make guessing expensive. */
const COST = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

/** `scrypt$N$r$p$salt$hash`, so the cost can rise later without breaking stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await withHashingSlot(() => scrypt(password, salt, KEY_LENGTH, COST));
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), hash.toString('base64')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  // An empty or short stored hash would compare equal to anything of its length: refuse it.
  if (expected.length !== KEY_LENGTH) return false;
  try {
    const actual = await withHashingSlot(() =>
      scrypt(password, Buffer.from(salt, 'base64'), KEY_LENGTH, {
        N: Number(n),
        r: Number(r),
        p: Number(p),
        maxmem: COST.maxmem,
      }),
    );
    return timingSafeEqual(actual, expected);
  } catch {
    // A corrupt cost parameter is a failed verification, not a crash.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends what checking `password` against a real hash would, and fails: a login for a user who
 * does not exist then takes as long as one with a wrong password, so timing does not tell which
 * users exist.
 */
export async function verifyAgainstNoUser(password: string): Promise<false> {
  dummyHash ??= hashPassword(generatePassword());
  await verifyPassword(password, await dummyHash);
  return false;
}

/** A password for the bootstrap admin when none is configured: 144 random bits, URL-safe. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
