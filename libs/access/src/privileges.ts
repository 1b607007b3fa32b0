/** vCenter privilege names the contract uses (§8.7). */
export const PRIVILEGES = [
  'ContentLibrary.CreateLocalLibrary',
  'ContentLibrary.DeleteLocalLibrary',
  'ContentLibrary.AddLibraryItem',
  'ContentLibrary.UpdateLibraryItem',
  'ContentLibrary.DeleteLibraryItem',
  'ContentLibrary.ReadStorage',
  'ContentLibrary.UpdateSession',
  'ContentLibrary.DownloadSession',
  'ContentLibrary.TypeIntrospection',
  'System.Read',
  // Ours (no vCenter privilege covers it): reading the history of sessions, items and libraries.
  'Cls.Audit',
] as const;

export type Privilege = (typeof PRIVILEGES)[number];

export function isPrivilege(value: string): value is Privilege {
  return (PRIVILEGES as readonly string[]).includes(value);
}

export interface Grant {
  readonly privilege: Privilege;
  /** The library or item the grant holds on; absent for a global grant. */
  readonly objectId?: string;
}

/** Grant rows as stored: an empty object id is a global grant. Unknown privilege names are dropped. */
export function grantsFromRows(rows: readonly { privilege: string; object_id: string }[]): Grant[] {
  return rows.flatMap((row) => {
    if (!isPrivilege(row.privilege)) return [];
    return [
      row.object_id === ''
        ? { privilege: row.privilege }
        : { privilege: row.privilege, objectId: row.object_id },
    ];
  });
}
