/**
 * View columns moved by activity rather than by events (throttled writes of the data plane:
 * `libs/transfer/src/upload-activity.ts` and `download-activity.ts`). A replay cannot
 * reproduce them, so a rebuild carries them over from the live rows and leaves them out of the
 * comparison.
 */
export const ACTIVITY_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  update_session_view: ['expiration_time'],
  download_session_view: ['expiration_time'],
  download_session_file_view: ['bytes_transferred'],
};

export function activityColumnsOf(table: string): readonly string[] {
  return ACTIVITY_COLUMNS[table] ?? [];
}
