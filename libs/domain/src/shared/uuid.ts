/** The first 32 hex digits of `hex` in the UUID layout 8-4-4-4-12 (ids derived from a digest). */
export function uuidFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
