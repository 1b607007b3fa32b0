/** The item type whose files the OVF adapter checks (contract §8.6). */
export const OVF_ITEM_TYPE = 'ovf';

export type OvfRole = 'descriptor' | 'manifest' | 'certificate' | 'archive' | 'other';

const ROLE_BY_EXTENSION: ReadonlyMap<string, OvfRole> = new Map([
  ['.ovf', 'descriptor'],
  ['.mf', 'manifest'],
  ['.cert', 'certificate'],
  ['.ova', 'archive'],
]);

/** What a file is to an OVF package, by its extension (case-insensitive). */
export function ovfRole(name: string): OvfRole {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return 'other';
  return ROLE_BY_EXTENSION.get(name.slice(dot).toLowerCase()) ?? 'other';
}

/** Manifest and certificate only serve validation: they are not kept (contract §8.6). */
export function isOvfMetadataFile(name: string): boolean {
  const role = ovfRole(name);
  return role === 'manifest' || role === 'certificate';
}
