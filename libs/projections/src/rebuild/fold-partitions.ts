import { parentPort, Worker, workerData } from 'node:worker_threads';

import type {
  EventRow,
  EventRowText,
  EventTypeRegistry,
  FeedTextPage,
  InlineProjection,
  ProjectedTable,
  RecordedEvent,
} from '@cls/event-store';
import { decodeEventRow, EventRowParser, rowChangesOf } from '@cls/event-store';

import { openConnection } from './bulk-connections';
import { copyRows } from './copy-rows';
import { RowImages } from './row-images';
import type { ViewTable } from './view-tables';

/** Where a partition writes its rows: the fresh tables of a rebuild schema. */
export interface CopyTarget {
  readonly url: string;
  readonly schema: string;
  readonly tables: readonly ViewTable[];
}

/**
 * Folds the events of a share of the streams into rows, then writes them. Every row a projection
 * writes belongs to the stream whose events write it (a session's rows to the session, an item's
 * to the item), so partitions by stream never write the same row; if one ever did, the primary
 * key built after the copy would refuse the rebuild rather than keep either row.
 */
export interface FoldPartition {
  /** Folds this partition's rows of a feed page; pages are folded in the order given. */
  fold(page: FeedTextPage): Promise<void>;
  /** Writes the rows folded so far. */
  copy(): Promise<void>;
  close(): Promise<void>;
}

/** Which of `count` partitions folds a stream's events: FNV-1a of its id. */
export function partitionOf(streamId: string, count: number): number {
  let hash = 0x81_1c_9d_c5;
  for (let at = 0; at < streamId.length; at += 1) {
    hash ^= streamId.charCodeAt(at);
    hash = Math.imul(hash, 0x01_00_01_93);
  }
  return (hash >>> 0) % count;
}

/** The view a projection writes, checked against the projection's idea of its key. */
function viewTableOf(tables: readonly ViewTable[], table: ProjectedTable): ViewTable {
  const view = tables.find((candidate) => candidate.name === table.name);
  if (!view || view.keyColumns.join() !== table.key.join())
    throw new Error(
      `projections write ${table.name} keyed by ${table.key.join(', ')}, which is not a view with that primary key`,
    );
  return view;
}

/** A partition folded on the calling thread. */
export class LocalFoldPartition implements FoldPartition {
  private readonly images = new RowImages();

  constructor(
    private readonly target: CopyTarget,
    private readonly decode: (row: EventRow) => RecordedEvent,
    private readonly projections: readonly InlineProjection[],
  ) {}

  fold(page: FeedTextPage): Promise<void> {
    const parser = new EventRowParser(page.fields);
    for (const row of page.rows)
      this.images.apply(rowChangesOf(this.projections, this.decode(parser.parse(row))));
    return Promise.resolve();
  }

  async copy(): Promise<void> {
    const { url, schema, tables } = this.target;
    const client = await openConnection(url, schema);
    try {
      for (const { table, rows } of this.images.tablesWritten())
        await copyRows(client, schema, viewTableOf(tables, table), rows);
    } finally {
      await client.end();
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A page as one string, its values joined by NUL, which no Postgres text holds: a thread is sent
 * one string instead of thousands of small ones, which would cost more to pass than to parse.
 */
const packRows = (rows: readonly EventRowText[]): string =>
  rows.map((row) => row.join('\0')).join('\0');

function unpackRows(packed: string, columns: number): EventRowText[] {
  if (packed === '') return [];
  const values = packed.split('\0');
  const rows: EventRowText[] = [];
  for (let at = 0; at < values.length; at += columns) rows.push(values.slice(at, at + columns));
  return rows;
}

type FoldRequest =
  | { readonly kind: 'fold'; readonly fields: FeedTextPage['fields']; readonly rows: string }
  | { readonly kind: 'copy' };

type FoldReply = { readonly done: true } | { readonly failed: unknown };

/**
 * A partition folded on a thread of its own, which runs `script`: a module that calls
 * `serveFoldThread` with the event types and projections. The thread takes requests in order and
 * answers each in turn.
 */
export class ThreadFoldPartition implements FoldPartition {
  private readonly worker: Worker;
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private broken: Error | undefined;

  constructor(
    private readonly script: string,
    target: CopyTarget,
  ) {
    this.worker = new Worker(script, { workerData: target });
    this.worker.on('message', (reply: FoldReply) =>
      'done' in reply ? this.waiting.shift()?.resolve() : this.fail(reply.failed),
    );
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`it stopped with exit code ${code}`)));
  }

  fold(page: FeedTextPage): Promise<void> {
    return this.request({ kind: 'fold', fields: page.fields, rows: packRows(page.rows) });
  }

  copy(): Promise<void> {
    return this.request({ kind: 'copy' });
  }

  async close(): Promise<void> {
    this.fail(new Error('closed'));
    await this.worker.terminate();
  }

  private request(request: FoldRequest): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** A failure ends the thread's use: every request in flight and after it fails with it. */
  private fail(failure: unknown): void {
    const message = `a rebuild's fold thread (${this.script}) failed: ${messageOf(failure)}`;
    this.broken ??= new Error(message, { cause: failure });
    for (const waiting of this.waiting.splice(0)) waiting.reject(this.broken);
  }
}

/** An error's message, also for one passed from a thread (not an `Error` of this realm then). */
function messageOf(failure: unknown): string {
  if (typeof failure === 'object' && failure !== null && 'message' in failure)
    return String(failure.message);
  return JSON.stringify(failure);
}

/** The body of a fold thread's script (see `ThreadFoldPartition`). */
export function serveFoldThread(
  registry: EventTypeRegistry,
  projections: readonly InlineProjection[],
): void {
  const port = parentPort;
  if (!port) throw new Error('serveFoldThread runs on a worker thread');
  const partition = new LocalFoldPartition(
    workerData as CopyTarget,
    (row) => decodeEventRow(registry, row),
    projections,
  );
  port.on('message', (request: FoldRequest) => {
    const work =
      request.kind === 'fold'
        ? partition.fold({
            fields: request.fields,
            rows: unpackRows(request.rows, request.fields.length),
          })
        : partition.copy();
    work.then(
      () => port.postMessage({ done: true } satisfies FoldReply),
      (error: unknown) => port.postMessage({ failed: error } satisfies FoldReply),
    );
  });
}
