import type { ProjectedTable } from '@cls/event-store';

/** The read-model tables the projections write, with their primary keys (see the migrations). */
export const LIBRARIES: ProjectedTable = { name: 'library_view', key: ['id'] };
export const LIBRARY_ITEMS: ProjectedTable = { name: 'library_item_view', key: ['id'] };
export const LIBRARY_ITEM_FILES: ProjectedTable = {
  name: 'library_item_file_view',
  key: ['item_id', 'name'],
};
export const UPDATE_SESSIONS: ProjectedTable = { name: 'update_session_view', key: ['id'] };
export const UPDATE_SESSION_FILES: ProjectedTable = {
  name: 'update_session_file_view',
  key: ['session_id', 'name'],
};
export const DOWNLOAD_SESSIONS: ProjectedTable = { name: 'download_session_view', key: ['id'] };
export const DOWNLOAD_SESSION_FILES: ProjectedTable = {
  name: 'download_session_file_view',
  key: ['session_id', 'name'],
};
export const STREAM_SCOPES: ProjectedTable = { name: 'stream_scope_view', key: ['stream_id'] };
