import { z } from 'zod';

import type { DomainError } from '@cls/domain';

import { parseBody } from './request-body';

const schema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  count: z.number().int().optional(),
  backing: z
    .strictObject({ type: z.enum(['DATASTORE', 'OTHER']), datastore_id: z.string().optional() })
    .optional(),
});

function failure(body: unknown): DomainError {
  try {
    parseBody(schema, body);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('parseBody accepted the body');
}

describe('parseBody (contract §1.2, §10.1)', () => {
  it('parses a valid body', () => {
    expect(
      parseBody(schema, {
        name: 'lib',
        description: 'd',
        count: 2,
        backing: { type: 'DATASTORE', datastore_id: 'ds' },
      }),
    ).toEqual({
      name: 'lib',
      description: 'd',
      count: 2,
      backing: { type: 'DATASTORE', datastore_id: 'ds' },
    });
  });

  it('rejects an unknown top-level field with invalid_request naming the field', () => {
    const error = failure({ name: 'lib', colour: 'red' });
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.messages[0]).toMatchObject({
      id: 'com.vmware.vapi.rest.unexpected_field',
      args: ['colour'],
    });
  });

  it('names an unknown nested field by its path', () => {
    const error = failure({ name: 'lib', backing: { type: 'OTHER', colour: 'red' } });
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.messages[0]?.args).toEqual(['backing.colour']);
  });

  it('rejects a missing required field with invalid_argument missing_field', () => {
    const error = failure({ description: 'd' });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.messages[0]).toMatchObject({
      id: 'com.vmware.vdcs.cls-main.missing_field',
      args: ['name'],
    });
  });

  it('rejects an out-of-range value with invalid_argument', () => {
    const error = failure({ name: '' });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.messages[0]?.id).toBe('com.vmware.vdcs.cls-main.invalid_argument');
    expect(error.messages[0]?.args[0]).toBe('name');
  });

  it('treats null for an optional field as unset', () => {
    expect(parseBody(schema, { name: 'lib', description: null, count: null })).toEqual({
      name: 'lib',
    });
  });

  it('treats null for a required field as missing', () => {
    const error = failure({ name: null });
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.messages[0]?.id).toBe('com.vmware.vdcs.cls-main.missing_field');
  });

  it('treats an undefined body as {}', () => {
    const empty = z.strictObject({ note: z.string().optional() });
    expect(parseBody(empty, undefined)).toEqual({});
    expect(failure(undefined).messages[0]).toMatchObject({
      id: 'com.vmware.vdcs.cls-main.missing_field',
      args: ['name'],
    });
  });

  it('rejects a wrong JSON type with invalid_request', () => {
    expect(failure({ name: 42 }).code).toBe('INVALID_REQUEST');
  });

  it('rejects a wrong JSON type in an optional field with invalid_request', () => {
    expect(failure({ name: 'lib', count: 'three' }).code).toBe('INVALID_REQUEST');
  });
});
