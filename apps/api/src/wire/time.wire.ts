/** `date_time` on the wire: ISO-8601 UTC with milliseconds and `Z` (§1.2). */
export function dateTimeToWire(value: Date): string {
  return value.toISOString();
}
