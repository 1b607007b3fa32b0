/**
 * An OVF package is flat: the descriptor names its files relative to itself and an OVA holds them
 * side by side. A name that could leave that folder once written to disk (separators, `..`, drive
 * letters, URL schemes) or that hides characters from people reading logs is refused everywhere.
 */
export function fileNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  // C0 and C1 control characters, NUL included.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'contains a control character';
  if (name.startsWith('/') || name.startsWith('\\')) return 'is an absolute path';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(name)) return 'is absolute or has a URL scheme';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (name === '.') return 'is "."';
  return undefined;
}

/** The name as it goes into an error message: quoted, with control characters escaped. */
export function quoteName(name: string): string {
  return JSON.stringify(name);
}
