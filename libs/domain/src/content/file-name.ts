import { invalidArgument } from '../shared/errors';

export const FILE_NAME_MAX_BYTES = 255;

/**
 * File names become parts of stored paths and URLs: no separators, no `..`, no NUL or control
 * characters, 1–255 bytes of UTF-8, so a name can never be a path.
 */
export function checkFileName(name: string): string {
  const bytes = new TextEncoder().encode(name).length;
  if (bytes === 0) throw invalidArgument('file name', 'must not be empty');
  if (bytes > FILE_NAME_MAX_BYTES)
    throw invalidArgument('file name', `longer than ${FILE_NAME_MAX_BYTES} bytes`);
  if (name.includes('/') || name.includes('\\'))
    throw invalidArgument('file name', `"${name}" contains a path separator`);
  if (name === '.' || name.includes('..'))
    throw invalidArgument('file name', `"${name}" contains ".."`);
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw invalidArgument('file name', 'contains control characters');
  return name;
}
