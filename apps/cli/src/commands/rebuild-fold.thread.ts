/** A rebuild's fold thread (see `ThreadFoldPartition`): the service's event types and projections. */
import { INLINE_PROJECTIONS, serveFoldThread } from '@cls/projections';
import { createEventTypeRegistry } from '@cls/sessions';

serveFoldThread(createEventTypeRegistry(), INLINE_PROJECTIONS);
