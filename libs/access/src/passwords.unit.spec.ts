import { generatePassword, hashPassword, verifyPassword } from './passwords';

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
});
