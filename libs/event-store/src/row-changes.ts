import type { RecordedEvent, SqlExecutor } from './event-store.types';

/**
 * A read-model table as projections write it: its name and primary key. Every match names the
 * key's first column, so a row is always found within a small group (a session's files, an
 * item's files) both in SQL and in a rebuild's memory.
 */
export interface ProjectedTable {
  readonly name: string;
  readonly key: readonly [string, ...string[]];
}

/** Column values as JSON: timestamps as ISO text, a jsonb column any JSON value. */
export type RowValues = Readonly<Record<string, unknown>>;

/**
 * The rows of `table` whose columns equal every value of `match`; with `olderThan`, only those
 * whose `last_stream_version` is below it, so a replayed event never undoes a later one.
 */
export interface RowMatch {
  readonly table: ProjectedTable;
  readonly match: RowValues;
  readonly olderThan?: number;
}

/** A change applied only when some row matches (`exists`) or none does (`absent`). */
export type RowCondition = { readonly exists: RowMatch } | { readonly absent: RowMatch };

interface Conditional {
  readonly onlyIf?: RowCondition;
}

export interface InsertRows extends Conditional {
  readonly kind: 'insert';
  readonly table: ProjectedTable;
  /** Every row lists the same columns: all those the projection ever writes in the table. */
  readonly rows: readonly RowValues[];
  /**
   * A row whose key is taken: `keep` leaves it; `replace` overwrites its listed columns;
   * `replace-older` does so only when its `last_stream_version` is below the new row's.
   */
  readonly existing: 'keep' | 'replace' | 'replace-older';
  /** Columns copied from the row that `onlyIf.exists` found, over the rows' own values. */
  readonly inherit?: readonly string[];
  /**
   * The error meaning that a unique index other than the key refused the (single) row: a domain
   * veto, raised inline only, since a replay holds only events that passed it.
   */
  readonly refused?: (sql: SqlExecutor) => Promise<Error>;
}

export interface UpdateRows extends Conditional {
  readonly kind: 'update';
  readonly where: RowMatch;
  readonly set: RowValues;
}

export interface DeleteRows extends Conditional {
  readonly kind: 'delete';
  readonly where: RowMatch;
}

/**
 * The rows of one group (the key's first column equal to `group`) become exactly `rows`: those
 * no longer listed go, the others are inserted or overwritten.
 */
export interface ReplaceGroup extends Conditional {
  readonly kind: 'replace-group';
  readonly table: ProjectedTable;
  readonly group: unknown;
  readonly rows: readonly RowValues[];
}

/**
 * One change to a read model, as data: appends run it as SQL (`applyRowChanges`), a projection
 * rebuild on row images in memory, so the two cannot drift apart. The changes of one event all
 * see the rows as they were before the event (conditions and inherited columns included), and
 * never touch one row twice: as the data-modifying parts of one SQL statement do.
 */
export type RowChange = InsertRows | UpdateRows | DeleteRows | ReplaceGroup;

/**
 * A read model kept in the same transaction as the append, so the API can read its own writes
 * and database constraints on the view (one ACTIVE session per item) veto the append itself.
 * `changesOf` is pure: what the event changes, not how.
 */
export interface InlineProjection {
  readonly name: string;
  readonly eventTypes: readonly string[];
  changesOf(event: RecordedEvent): readonly RowChange[];
}

const projectionsByType = new WeakMap<
  readonly InlineProjection[],
  ReadonlyMap<string, readonly InlineProjection[]>
>();

/** Which of the projections handle each event type, worked out once per list. */
function handlersOf(
  projections: readonly InlineProjection[],
): ReadonlyMap<string, readonly InlineProjection[]> {
  let handlers = projectionsByType.get(projections);
  if (!handlers) {
    const byType = new Map<string, InlineProjection[]>();
    for (const projection of projections) {
      for (const type of projection.eventTypes)
        byType.set(type, [...(byType.get(type) ?? []), projection]);
    }
    handlers = byType;
    projectionsByType.set(projections, handlers);
  }
  return handlers;
}

/** What every projection that handles the event changes, in projection order. */
export function rowChangesOf(
  projections: readonly InlineProjection[],
  event: RecordedEvent,
): readonly RowChange[] {
  const handlers = handlersOf(projections).get(event.type) ?? [];
  return handlers.length === 1
    ? handlers[0]!.changesOf(event)
    : handlers.flatMap((projection) => projection.changesOf(event));
}
