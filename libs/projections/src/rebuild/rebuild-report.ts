import type { TableComparison } from './view-comparison';

export interface RebuildOptions {
  /** Swap the rebuilt tables in when they match the live ones. */
  readonly swap?: boolean;
  /** Swap even when they differ (the events are the truth; the live views drifted). */
  readonly force?: boolean;
  /** Drop the replaced tables instead of keeping them in `BACKUP_SCHEMA`. */
  readonly dropOld?: boolean;
  /** Events per read and per replay transaction. */
  readonly batchSize?: number;
  /** Called after each replayed batch with the running total. */
  readonly onProgress?: (eventsReplayed: number) => void;
}

/** How a rebuild folds the feed (on this thread, in one partition, by default). */
export interface FoldOptions {
  /** How many partitions the streams are shared out to, each folding its own streams' events. */
  readonly partitions?: number;
  /**
   * A script that calls `serveFoldThread` with the event types and projections: each partition
   * then folds on a thread of its own that runs it.
   */
  readonly threadScript?: string;
}

/**
 * fold: read the committed feed and fold it into rows in memory; copy: write them; index: add
 * keys, constraints and indexes; compare: with the live views, while appends go on; finish:
 * appends held, the last events, the comparison again where they or a difference were, the swap.
 */
export type RebuildPhase = 'fold' | 'copy' | 'index' | 'compare' | 'finish';

export interface RebuildReport {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** How long appends were held off: the last events, the comparison and the swap. */
  readonly appendsStoppedMs: number;
  readonly phaseSeconds: Readonly<Partial<Record<RebuildPhase, number>>>;
  /** Partitions the fold was shared out to, and whether each had a thread of its own. */
  readonly foldPartitions: number;
  readonly foldThreads: boolean;
  readonly tables: readonly TableComparison[];
  readonly identical: boolean;
  readonly swapped: boolean;
  /** Where the replaced tables are kept, after a swap without `dropOld`. */
  readonly backupSchema?: string;
}
