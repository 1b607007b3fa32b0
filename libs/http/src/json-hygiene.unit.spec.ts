import { DomainError } from '@cls/domain';

import { checkJsonBody, JSON_MAX_DEPTH, JSON_MAX_STRING_LENGTH } from './json-hygiene';

function codeOf(body: unknown): string | undefined {
  try {
    checkJsonBody(body);
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

/** `[[[…]]]` nested `depth` deep, as JSON text parses it. */
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('checkJsonBody', () => {
  it('lets an ordinary body through', () => {
    expect(
      codeOf({
        create_spec: { name: 'lib é 😀', storage_backings: [{ type: 'DATASTORE' }], n: 1 },
      }),
    ).toBeUndefined();
    expect(codeOf(nested(JSON_MAX_DEPTH))).toBeUndefined();
    expect(codeOf('x'.repeat(JSON_MAX_STRING_LENGTH))).toBeUndefined();
  });

  it('refuses a body nested too deep as invalid_request, 100,000 levels without overflowing', () => {
    expect(codeOf(nested(JSON_MAX_DEPTH + 1))).toBe('INVALID_REQUEST');
    expect(codeOf(nested(100_000))).toBe('INVALID_REQUEST');
  });

  it.each([
    ['a NUL in a value', { name: 'a\u0000b' }],
    ['a lone high surrogate', { description: 'x\ud800' }],
    ['a lone low surrogate in a nested array', { a: [{ b: ['\udc00'] }] }],
    ['a NUL in a property name', { 'na\u0000me': 1 }],
    ['a string too long', { uri: 'h'.repeat(JSON_MAX_STRING_LENGTH + 1) }],
    ['a property name too long', { ['k'.repeat(JSON_MAX_STRING_LENGTH + 1)]: 1 }],
  ])('refuses %s as invalid_argument', (_what, body) => {
    expect(codeOf(body)).toBe('INVALID_ARGUMENT');
  });
});
