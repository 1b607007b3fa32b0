import { invalidArgument } from '@cls/domain';

/** A find spec must name something to match: an empty one is `invalid_argument` (§3.3, §3.4). */
export function requireSomeProperty(spec: object): void {
  if (Object.values(spec).every((value) => value === undefined))
    throw invalidArgument('spec', 'it names no property to match');
}
