import { z } from 'zod';

import { OVF_ITEM_TYPE, WARNING_TYPES } from '@cls/domain';
import { messageToWire, parseBody } from '@cls/http';
import type {
  CreateUpdateSessionInput,
  UpdateSessionOperation,
  UpdateSessionView,
} from '@cls/sessions';

import { dateTimeToWire } from './time.wire';

const warningBehavior = z.array(
  z.strictObject({ type: z.enum(WARNING_TYPES), ignored: z.boolean() }),
);

/** `UpdateSessionModel`: every field is known; only `library_item_id` and `warning_behavior` are used (§4.1). */
export const updateSessionModelInput = z.strictObject({
  id: z.unknown().optional(),
  library_item_id: z.string().optional(),
  library_item_content_version: z.unknown().optional(),
  error_message: z.unknown().optional(),
  client_progress: z.unknown().optional(),
  state: z.unknown().optional(),
  expiration_time: z.unknown().optional(),
  preview_info: z.unknown().optional(),
  warning_behavior: warningBehavior.optional(),
});

/** On create `library_item_id` is required: its absence is a bad spec (`invalid_argument`). */
export const updateSessionCreateSpec = updateSessionModelInput.extend({
  library_item_id: z.string(),
});

export type UpdateSessionCreateSpec = z.output<typeof updateSessionCreateSpec>;
export type UpdateSessionModelInput = z.output<typeof updateSessionModelInput>;

export function createUpdateSessionInputFrom(
  spec: UpdateSessionCreateSpec,
  clientToken: string | undefined,
): CreateUpdateSessionInput {
  return {
    libraryItemId: spec.library_item_id,
    ...(spec.warning_behavior === undefined ? {} : { warningBehavior: spec.warning_behavior }),
    ...(clientToken === undefined ? {} : { clientToken }),
  };
}

export function updateOperationFrom(spec: UpdateSessionModelInput): UpdateSessionOperation {
  return {
    type: 'UpdateUpdateSession',
    ...(spec.warning_behavior === undefined ? {} : { warningBehavior: spec.warning_behavior }),
  };
}

/** keep_alive takes an optional integer; out-of-range values are the decider's to ignore (§10.6). */
export const keepAliveBody = z.strictObject({ client_progress: z.number().optional() });
export const failBody = z.strictObject({ client_error_message: z.string() });
export const emptyBody = z.strictObject({});

export const SESSION_ACTIONS = ['keep-alive', 'complete', 'cancel', 'fail'] as const;
export type SessionAction = (typeof SESSION_ACTIONS)[number];

export function isSessionAction(action: string | undefined): action is SessionAction {
  return (SESSION_ACTIONS as readonly (string | undefined)[]).includes(action);
}

/** The update-session actions read the same body in both styles. */
export function sessionActionOperation(
  action: SessionAction,
  body: unknown,
): UpdateSessionOperation {
  switch (action) {
    case 'keep-alive': {
      const { client_progress } = parseBody(keepAliveBody, body);
      return {
        type: 'KeepUpdateSessionAlive',
        ...(client_progress === undefined ? {} : { clientProgress: client_progress }),
      };
    }
    case 'complete':
      parseBody(emptyBody, body);
      return { type: 'CompleteUpdateSession' };
    case 'cancel':
      parseBody(emptyBody, body);
      return { type: 'CancelUpdateSession' };
    case 'fail':
      return {
        type: 'FailUpdateSession',
        clientErrorMessage: parseBody(failBody, body).client_error_message,
      };
  }
}

export function updateSessionToWire(session: UpdateSessionView): Record<string, unknown> {
  return {
    id: session.id,
    library_item_id: session.libraryItemId,
    library_item_content_version: String(session.libraryItemContentVersion),
    client_progress: session.clientProgress,
    state: session.state,
    expiration_time: dateTimeToWire(session.expirationTime),
    ...(session.state === 'ACTIVE' ? { preview_info: previewInfoToWire(session) } : {}),
    ...(session.warningBehavior.length === 0 ? {} : { warning_behavior: session.warningBehavior }),
    ...(session.errorMessage === undefined
      ? {}
      : { error_message: messageToWire(session.errorMessage) }),
  };
}

/**
 * §5, §8.3: an OVF session's preview is PREPARING while its descriptor arrives and AVAILABLE once
 * it is in; any session with certificate warnings shows them. Otherwise it is UNAVAILABLE.
 */
function previewInfoToWire(session: UpdateSessionView): Record<string, unknown> {
  if (session.warnings.length === 0) {
    if (session.itemType !== OVF_ITEM_TYPE || session.descriptorStatus === undefined)
      return { state: 'UNAVAILABLE' };
    return { state: session.descriptorStatus === 'READY' ? 'AVAILABLE' : 'PREPARING' };
  }
  const ignored = new Set(
    session.warningBehavior.filter((behavior) => behavior.ignored).map((behavior) => behavior.type),
  );
  return {
    state: 'AVAILABLE',
    warnings: session.warnings.map((warning) => ({
      type: warning.type,
      message: messageToWire(warning.message),
      ignored: ignored.has(warning.type),
    })),
  };
}
