import type { z } from 'zod';

import { InvalidArgument, InvalidRequest, message } from '@cls/domain';

/** `null` means unset (contract §1.2): drop it before validation so optional fields accept it. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, entry]) => entry !== null)
        .map(([key, entry]) => [key, withoutNulls(entry)]),
    );
  }
  return value;
}

function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.') || 'body';
}

/**
 * Validates a request body. Structural problems (unknown fields, wrong JSON types) are
 * `invalid_request` (§10.1); semantic ones (a required field missing, a value out of range) are
 * `invalid_argument`, as the contract lists them per operation.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  // `reportInput` keeps the offending value on each issue: a missing field and a mistyped one differ.
  const result = schema.safeParse(withoutNulls(body ?? {}), { reportInput: true });
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  if (!issue)
    throw new InvalidRequest(message('com.vmware.vapi.rest.badRequest', 'Invalid request body.'));
  const where = pathOf(issue);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    const field = where === 'body' ? keys : `${where}.${keys}`;
    throw new InvalidRequest(
      message(
        'com.vmware.vapi.rest.unexpected_field',
        `Unexpected field(s) in the request: ${field}.`,
        [field],
      ),
    );
  }
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  if (issue.code === 'invalid_type' && !missing) {
    throw new InvalidRequest(
      message(
        'com.vmware.vapi.rest.invalid_type',
        `Field ${where} has the wrong type: ${issue.message}.`,
        [where, issue.message],
      ),
    );
  }
  throw new InvalidArgument(
    missing
      ? message('com.vmware.vdcs.cls-main.missing_field', `Required field ${where} is missing.`, [
          where,
        ])
      : message(
          'com.vmware.vdcs.cls-main.invalid_argument',
          `Invalid ${where}: ${issue.message}.`,
          [where, issue.message],
        ),
  );
}
