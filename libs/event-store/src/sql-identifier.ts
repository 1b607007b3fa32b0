/** A quoted SQL identifier (a table or column name), safe whatever it holds. */
export const sqlIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;
