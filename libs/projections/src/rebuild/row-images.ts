import type {
  InsertRows,
  ProjectedTable,
  RowChange,
  RowCondition,
  RowMatch,
  RowValues,
} from '@cls/event-store';

type Row = Record<string, unknown>;

/** A row's key as one string (key values are ids and names, joined by a character none holds). */
const keyOf = (table: ProjectedTable, row: RowValues): string =>
  table.key.length === 1
    ? String(row[table.key[0]])
    : table.key.map((column) => String(row[column])).join('\u0000');

const olderThan = (row: Row, version: number): boolean =>
  (row.last_stream_version as number) < version;

/**
 * One table's rows by key; a composite key's rows are also found by group (the key's first
 * column: a session's files, an item's files).
 */
class TableImage {
  readonly rows = new Map<string, Row>();
  private readonly groups: Map<string, Set<string>> | undefined;

  constructor(readonly table: ProjectedTable) {
    this.groups = table.key.length > 1 ? new Map() : undefined;
  }

  set(row: Row): void {
    const key = keyOf(this.table, row);
    this.rows.set(key, row);
    if (!this.groups) return;
    const group = String(row[this.table.key[0]]);
    const keys = this.groups.get(group);
    if (keys) keys.add(key);
    else this.groups.set(group, new Set([key]));
  }

  delete(row: Row): void {
    const key = keyOf(this.table, row);
    this.rows.delete(key);
    if (!this.groups) return;
    const group = String(row[this.table.key[0]]);
    const keys = this.groups.get(group);
    keys?.delete(key);
    if (keys?.size === 0) this.groups.delete(group);
  }

  /** The rows that might match: the one of the whole key, or those of its group. */
  candidates(match: RowValues): Row[] {
    if (this.table.key.every((column) => column in match)) {
      const row = this.rows.get(keyOf(this.table, match));
      return row ? [row] : [];
    }
    const [groupColumn] = this.table.key;
    if (!(groupColumn in match) || !this.groups)
      throw new Error(`a match on ${this.table.name} must name ${groupColumn}`);
    const found: Row[] = [];
    for (const key of this.groups.get(String(match[groupColumn])) ?? []) {
      const row = this.rows.get(key);
      if (row) found.push(row);
    }
    return found;
  }
}

/**
 * The read models as rows in memory, changed by the same `RowChange`s appends run as SQL, with
 * the same meaning (see `RowChange`): a rebuild folds the whole feed here, then writes each table
 * once. It also checks the promise SQL relies on: an event touches each row once.
 */
export class RowImages {
  private readonly tables = new Map<string, TableImage>();
  /** Rows the current event changed, when it has more than one change. */
  private readonly touched = new Set<string>();
  private checkingTouches = false;

  /** The changes of one event. */
  apply(changes: readonly RowChange[]): void {
    // As in one SQL statement: conditions and inherited columns read the rows before the event.
    let applies: boolean[] | undefined;
    let inherited: (Row | undefined)[] | undefined;
    changes.forEach((change, at) => {
      if (!change.onlyIf) return;
      (applies ??= changes.map(() => true))[at] = this.holds(change.onlyIf);
      if (change.kind === 'insert' && change.inherit && 'exists' in change.onlyIf)
        (inherited ??= [])[at] = this.matching(change.onlyIf.exists)[0];
    });
    // A single change cannot meet a row twice (a change's rows have distinct keys).
    this.checkingTouches = changes.length > 1;
    this.touched.clear();
    changes.forEach((change, at) => {
      if (applies?.[at] !== false) this.change(change, inherited?.[at]);
    });
  }

  /** Every table written to, with its rows. */
  *tablesWritten(): Iterable<{ table: ProjectedTable; rows: Iterable<Row> }> {
    for (const image of this.tables.values())
      yield { table: image.table, rows: image.rows.values() };
  }

  private touch(table: ProjectedTable, row: RowValues): void {
    if (!this.checkingTouches) return;
    const id = `${table.name}\u0000${keyOf(table, row)}`;
    if (this.touched.has(id)) throw new Error(`one event changes row ${id} twice`);
    this.touched.add(id);
  }

  private change(change: RowChange, inherited: Row | undefined): void {
    switch (change.kind) {
      case 'insert':
        return this.insert(change, inherited);
      case 'update':
        for (const row of this.matching(change.where)) {
          this.touch(change.where.table, row);
          Object.assign(row, change.set);
        }
        return;
      case 'delete': {
        const image = this.image(change.where.table);
        for (const row of this.matching(change.where)) {
          this.touch(change.where.table, row);
          image.delete(row);
        }
        return;
      }
      case 'replace-group': {
        const image = this.image(change.table);
        const listed = new Set(change.rows.map((row) => keyOf(change.table, row)));
        for (const row of image.candidates({ [change.table.key[0]]: change.group })) {
          if (listed.has(keyOf(change.table, row))) continue;
          this.touch(change.table, row);
          image.delete(row);
        }
        return this.insert(
          { kind: 'insert', table: change.table, rows: change.rows, existing: 'replace' },
          undefined,
        );
      }
    }
  }

  private insert(change: InsertRows, inherited: Row | undefined): void {
    if (change.inherit && !inherited) return;
    const image = this.image(change.table);
    for (const given of change.rows) {
      // A change's rows are its own (built for this event), so the image may keep them.
      const row = given as Row;
      for (const column of change.inherit ?? []) row[column] = inherited?.[column];
      this.touch(change.table, row);
      const existing = image.rows.get(keyOf(change.table, row));
      if (!existing) image.set(row);
      else if (
        change.existing === 'replace' ||
        (change.existing === 'replace-older' &&
          olderThan(existing, row.last_stream_version as number))
      )
        Object.assign(existing, row);
    }
  }

  private holds(condition: RowCondition): boolean {
    return 'exists' in condition
      ? this.matching(condition.exists).length > 0
      : this.matching(condition.absent).length === 0;
  }

  private matching(where: RowMatch): Row[] {
    const found: Row[] = [];
    for (const row of this.image(where.table).candidates(where.match)) {
      let matches = where.olderThan === undefined || olderThan(row, where.olderThan);
      for (const column in where.match) matches &&= row[column] === where.match[column];
      if (matches) found.push(row);
    }
    return found;
  }

  private image(table: ProjectedTable): TableImage {
    let image = this.tables.get(table.name);
    if (!image) {
      image = new TableImage(table);
      this.tables.set(table.name, image);
    }
    return image;
  }
}

/** The groups (values of the key's first column, as text) that changes wrote, by table. */
export class TouchedGroups {
  private readonly groups = new Map<string, Set<string>>();

  note(changes: readonly RowChange[]): void {
    for (const change of changes) {
      switch (change.kind) {
        case 'insert':
          for (const row of change.rows) this.add(change.table, row[change.table.key[0]]);
          break;
        case 'update':
        case 'delete':
          this.add(change.where.table, change.where.match[change.where.table.key[0]]);
          break;
        case 'replace-group':
          this.add(change.table, change.group);
          break;
      }
    }
  }

  of(table: string): Iterable<string> {
    return this.groups.get(table) ?? [];
  }

  private add(table: ProjectedTable, group: unknown): void {
    let groups = this.groups.get(table.name);
    if (!groups) {
      groups = new Set();
      this.groups.set(table.name, groups);
    }
    groups.add(String(group));
  }
}
