import type { DomainError } from '@cls/domain';

import { idFromClientToken, isUuid, requireUuidToken } from './client-token';

const TOKEN = 'c2a1e7d4-6f0b-4b8e-9b53-7b0f4c2d9e01';
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('idFromClientToken', () => {
  it('is deterministic', () => {
    expect(idFromClientToken('library', 'alice', TOKEN)).toBe(
      idFromClientToken('library', 'alice', TOKEN),
    );
  });

  it('has the UUID version 5 layout (version nibble 5, variant 8-b)', () => {
    for (const token of [
      TOKEN,
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      'x',
    ]) {
      const id = idFromClientToken('library_item', 'bob', token);
      expect(id).toMatch(UUID_V5);
      expect(isUuid(id)).toBe(true);
    }
  });

  it('differs per user, per kind and per token', () => {
    const ids = [
      idFromClientToken('library', 'alice', TOKEN),
      idFromClientToken('library', 'bob', TOKEN),
      idFromClientToken('library_item', 'alice', TOKEN),
      idFromClientToken('library', 'alice', '0d5e8a3c-93b1-4c39-8f4e-2b7a6c1d0e9f'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('does not confuse fields that concatenate to the same text', () => {
    expect(idFromClientToken('library', 'alice', TOKEN)).not.toBe(
      idFromClientToken('librarya', 'lice', TOKEN),
    );
  });
});

describe('requireUuidToken', () => {
  it('passes an absent token through', () => {
    expect(requireUuidToken(undefined)).toBeUndefined();
  });

  it('lowercases a valid token', () => {
    expect(requireUuidToken('C2A1E7D4-6F0B-4B8E-9B53-7B0F4C2D9E01')).toBe(TOKEN);
    expect(requireUuidToken(TOKEN)).toBe(TOKEN);
  });

  it.each([
    '',
    'not-a-uuid',
    `${TOKEN}0`,
    ` ${TOKEN}`,
    'c2a1e7d46f0b4b8e9b537b0f4c2d9e01',
    '{c2a1e7d4-6f0b-4b8e-9b53-7b0f4c2d9e01}',
    'g2a1e7d4-6f0b-4b8e-9b53-7b0f4c2d9e01',
  ])('refuses %p with invalid_argument', (token) => {
    let caught: unknown;
    try {
      requireUuidToken(token);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((caught as DomainError).messages[0]?.args[0]).toBe('client_token');
  });
});
