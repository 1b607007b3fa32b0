import type { ErrorCode } from '@cls/domain';
import {
  AlreadyExists,
  ConcurrentChange,
  InsufficientStorage,
  InvalidArgument,
  message,
  NotAllowedInCurrentState,
  NotFound,
  ResourceBusy,
  TooManyAttempts,
  Unauthenticated,
} from '@cls/domain';

import { errorBody, httpStatusOf, messageToWire, statusOf } from './vapi-error';

describe('statusOf (contract §1.5)', () => {
  it.each<[ErrorCode, number, number]>([
    ['ALREADY_EXISTS', 400, 400],
    ['INVALID_ARGUMENT', 400, 400],
    ['INVALID_ELEMENT_TYPE', 400, 400],
    ['INVALID_REQUEST', 400, 400],
    ['NOT_ALLOWED_IN_CURRENT_STATE', 400, 400],
    ['RESOURCE_IN_USE', 400, 400],
    ['UNSUPPORTED', 400, 400],
    ['UNAUTHENTICATED', 401, 401],
    ['UNAUTHORIZED', 403, 403],
    ['NOT_FOUND', 404, 404],
    ['OPERATION_NOT_FOUND', 404, 404],
    ['CONCURRENT_CHANGE', 409, 409],
    ['RESOURCE_BUSY', 400, 500],
    ['SERVICE_UNAVAILABLE', 503, 503],
    ['UNABLE_TO_ALLOCATE_RESOURCE', 400, 500],
    ['INTERNAL_SERVER_ERROR', 500, 500],
  ])('%s is %p on /rest and %p on /api', (code, rest, api) => {
    expect(statusOf(code, 'rest')).toBe(rest);
    expect(statusOf(code, 'api')).toBe(api);
  });
});

describe('httpStatusOf', () => {
  const reason = message('test.reason', 'reason');

  it.each(['rest', 'api'] as const)(
    'is 429 for too many attempts and 507 for full storage on /%s, else the type’s status',
    (style) => {
      expect(httpStatusOf(new TooManyAttempts(5, reason), style)).toBe(429);
      expect(httpStatusOf(new InsufficientStorage(reason), style)).toBe(507);
      expect(httpStatusOf(new ResourceBusy(reason), style)).toBe(statusOf('RESOURCE_BUSY', style));
    },
  );
});

describe('errorBody (contract §1.4)', () => {
  const notFound = new NotFound(
    message('com.vmware.vdcs.cls-main.library_not_found', 'Library a does not exist.', ['a']),
  );

  it('/api answers the error structure itself', () => {
    expect(errorBody(notFound, 'api')).toEqual({
      error_type: 'NOT_FOUND',
      messages: [
        {
          id: 'com.vmware.vdcs.cls-main.library_not_found',
          default_message: 'Library a does not exist.',
          args: ['a'],
        },
      ],
    });
  });

  it('/rest wraps it in {type, value} keeping error_type inside', () => {
    expect(errorBody(notFound, 'rest')).toEqual({
      type: 'com.vmware.vapi.std.errors.not_found',
      value: {
        error_type: 'NOT_FOUND',
        messages: [
          {
            id: 'com.vmware.vdcs.cls-main.library_not_found',
            default_message: 'Library a does not exist.',
            args: ['a'],
          },
        ],
      },
    });
  });

  it.each([
    [
      new NotAllowedInCurrentState(message('m', 'text')),
      'com.vmware.vapi.std.errors.not_allowed_in_current_state',
    ],
    [new ResourceBusy(message('m', 'text')), 'com.vmware.vapi.std.errors.resource_busy'],
    [new AlreadyExists(message('m', 'text')), 'com.vmware.vapi.std.errors.already_exists'],
    [new ConcurrentChange(message('m', 'text')), 'com.vmware.vapi.std.errors.concurrent_change'],
  ])('/rest type of %p is %s', (error, type) => {
    expect(errorBody(error, 'rest')).toMatchObject({ type, value: { error_type: error.code } });
  });

  it('keeps every message in order, the first one saying what failed and the rest the causes', () => {
    const error = new InvalidArgument(
      message('first', 'What failed.', ['x']),
      message('cause', 'Why.', []),
    );
    expect(errorBody(error, 'api')).toEqual({
      error_type: 'INVALID_ARGUMENT',
      messages: [
        { id: 'first', default_message: 'What failed.', args: ['x'] },
        { id: 'cause', default_message: 'Why.', args: [] },
      ],
    });
  });

  it.each(['api', 'rest'] as const)('UNAUTHENTICATED carries a challenge on %s', (style) => {
    const error = new Unauthenticated(
      message(
        'com.vmware.vapi.endpoint.method.authentication.required',
        'Authentication required.',
      ),
    );
    const body = errorBody(error, style) as { value?: object };
    const structure = style === 'api' ? body : body.value;
    expect(structure).toEqual({
      error_type: 'UNAUTHENTICATED',
      messages: [
        {
          id: 'com.vmware.vapi.endpoint.method.authentication.required',
          default_message: 'Authentication required.',
          args: [],
        },
      ],
      challenge: expect.stringMatching(/^Basic realm=/),
    });
  });

  it('other errors carry no challenge', () => {
    expect(errorBody(notFound, 'api')).not.toHaveProperty('challenge');
    expect((errorBody(notFound, 'rest') as { value: object }).value).not.toHaveProperty(
      'challenge',
    );
  });
});

describe('messageToWire', () => {
  it('spells a message the vAPI way and copies its arguments', () => {
    const args = ['a', 'b'];
    const wire = messageToWire(message('id', 'text', args));
    expect(wire).toEqual({ id: 'id', default_message: 'text', args: ['a', 'b'] });
    expect(wire.args).not.toBe(args);
  });
});
