import {
  generatePassword,
  HASHING_CONCURRENCY,
  hashPassword,
  verifyAgainstNoUser,
  verifyPassword,
  withHashingSlot,
} from './passwords';

describe('passwords', () => {
  let stored: string;

  beforeAll(async () => {
    stored = await hashPassword('correct horse battery staple');
  });

  it('stores scrypt with its cost, salt and hash', () => {
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain('correct horse');
  });

  it('verifies the password it hashed', async () => {
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
  });

  it.each(['Correct horse battery staple', 'correct horse battery staple ', '', 'hunter2'])(
    'refuses the wrong password %p',
    async (password) => {
      await expect(verifyPassword(password, stored)).resolves.toBe(false);
    },
  );

  it('salts: two hashes of one password differ and both verify', async () => {
    const again = await hashPassword('correct horse battery staple');
    expect(again).not.toBe(stored);
    expect(again.split('$')[4]).not.toBe(stored.split('$')[4]);
    await expect(verifyPassword('correct horse battery staple', again)).resolves.toBe(true);
  });

  it.each([
    ['empty', ''],
    ['another scheme', '$2b$10$abcdefghijklmnopqrstuv'],
    ['missing parts', 'scrypt$16384$8$1$c2FsdA=='],
    ['empty hash part', 'scrypt$16384$8$1$c2FsdA==$'],
    ['plain text', 'correct horse battery staple'],
  ])('refuses a malformed stored hash (%s)', async (_, malformed) => {
    await expect(verifyPassword('correct horse battery staple', malformed)).resolves.toBe(false);
  });

  it('refuses a well-formed hash under another scheme name', async () => {
    await expect(
      verifyPassword('correct horse battery staple', stored.replace(/^scrypt/, 'bcrypt')),
    ).resolves.toBe(false);
  });

  it('refuses any password against a stored hash whose hash part decodes to nothing', async () => {
    await expect(verifyPassword('anything', 'scrypt$16384$8$1$c2FsdA==$!!!!')).resolves.toBe(false);
  });

  it('refuses a stored hash with a non-numeric cost instead of throwing', async () => {
    await expect(verifyPassword('anything', 'scrypt$abc$8$1$c2FsdA==$aGFzaA==')).resolves.toBe(
      false,
    );
  });

  it('generates distinct URL-safe passwords of 144 bits', () => {
    const first = generatePassword();
    expect(first).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(first);
  });

  it('runs at most HASHING_CONCURRENCY hashes at once; the others wait their turn, none is lost', async () => {
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const hashes = Array.from({ length: 10 }, (_, index) =>
      withHashingSlot(async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((release) => releases.push(release));
        running -= 1;
        return index;
      }),
    );
    // Let every slot that can start do so, then release them one after another.
    for (let released = 0; released < 10; released += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(running).toBeLessThanOrEqual(HASHING_CONCURRENCY);
      releases.shift()?.();
    }
    expect(await Promise.all(hashes)).toEqual([...Array(10).keys()]);
    expect(most).toBe(HASHING_CONCURRENCY);
  });

  it('fails a password for a user who does not exist only after a real check: it waits for a hashing slot', async () => {
    const releases: (() => void)[] = [];
    const holders = Array.from({ length: HASHING_CONCURRENCY }, () =>
      withHashingSlot(() => new Promise<void>((release) => releases.push(release))),
    );
    let answered = false;
    const check = verifyAgainstNoUser('correct horse battery staple').then((result) => {
      answered = true;
      return result;
    });
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);

    for (const release of releases) release();
    await Promise.all(holders);
    await expect(check).resolves.toBe(false);
  });
});
