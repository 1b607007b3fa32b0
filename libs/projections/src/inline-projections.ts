import type { InlineProjection } from '@cls/event-store';

import { downloadSessionViewProjection } from './download-session-view.projection';
import { libraryItemViewProjection } from './library-item-view.projection';
import { libraryViewProjection } from './library-view.projection';
import { streamScopeViewProjection } from './stream-scope-view.projection';
import { updateSessionFileViewProjection } from './update-session-file-view.projection';
import { updateSessionViewProjection } from './update-session-view.projection';

/** Every projection the event store runs inside the append transaction. */
export const INLINE_PROJECTIONS: readonly InlineProjection[] = [
  libraryViewProjection,
  libraryItemViewProjection,
  updateSessionViewProjection,
  updateSessionFileViewProjection,
  downloadSessionViewProjection,
  streamScopeViewProjection,
];
