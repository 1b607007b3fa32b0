import type { Caller } from '@cls/domain';

import type { Grant } from './privileges';

/** A caller resolved from an API session token, with everything access checks need. */
export interface AuthenticatedCaller extends Caller {
  readonly grants: readonly Grant[];
}
