import type { RecordedEvent, SqlExecutor } from './event-store.types';
import type {
  InlineProjection,
  InsertRows,
  ProjectedTable,
  RowChange,
  RowCondition,
  RowMatch,
  RowValues,
} from './row-changes';
import { rowChangesOf } from './row-changes';
import { sqlIdentifier as ident } from './sql-identifier';

interface Refusal {
  /** The result column that is true when the insert was refused. */
  readonly column: string;
  readonly test: string;
  readonly refused: (sql: SqlExecutor) => Promise<Error>;
}

/** Column names of a change's rows: all rows must list the same ones. */
function columnsOf(table: ProjectedTable, rows: readonly RowValues[]): string[] {
  const [first] = rows;
  const columns = first ? Object.keys(first) : [];
  for (const row of rows) {
    const listed = Object.keys(row);
    if (listed.length !== columns.length || listed.some((name, at) => name !== columns[at]))
      throw new Error(`rows for ${table.name} list different columns`);
  }
  return columns;
}

/**
 * One SQL statement being built: the changes as data-modifying CTEs, values as parameters (rows
 * as one JSON parameter each), so its text depends on the shape of the changes only and
 * Postgres can keep it prepared.
 */
class Statement {
  readonly parameters: unknown[] = [];
  private readonly parts: string[] = [];
  private readonly refusals: Refusal[] = [];

  add(change: RowChange): void {
    const name = `change_${this.parts.length}`;
    switch (change.kind) {
      case 'insert':
        this.parts.push(`${name} AS (${this.insert(change)} RETURNING 1)`);
        if (change.refused) this.refusedUnless(name, change, change.refused);
        return;
      case 'update':
        this.parts.push(`${name} AS (${this.update(change)})`);
        return;
      case 'delete':
        this.parts.push(
          `${name} AS (DELETE FROM ${ident(change.where.table.name)} AS target
                       WHERE ${this.conditions('target', change.where, change.onlyIf)})`,
        );
        return;
      case 'replace-group':
        this.replaceGroup(name, change);
        return;
    }
  }

  /** The statement, and which of its result columns say that an insert was refused. */
  build(): { text: string; refusals: readonly Refusal[] } {
    const outcome =
      this.refusals.length > 0
        ? this.refusals.map(({ column, test }) => `${test} AS ${column}`).join(', ')
        : '1';
    return { text: `WITH ${this.parts.join(',\n')}\nSELECT ${outcome}`, refusals: this.refusals };
  }

  private value(value: unknown): string {
    this.parameters.push(value);
    return `$${this.parameters.length}`;
  }

  private json(rows: readonly RowValues[] | RowValues): string {
    return `${this.value(JSON.stringify(rows))}::json`;
  }

  private matching(alias: string, where: RowMatch): string[] {
    const conditions = Object.entries(where.match).map(
      ([column, value]) => `${alias}.${ident(column)} = ${this.value(value)}`,
    );
    if (where.olderThan !== undefined)
      conditions.push(`${alias}.last_stream_version < ${this.value(where.olderThan)}`);
    return conditions;
  }

  private exists(where: RowMatch): string {
    return `EXISTS (SELECT 1 FROM ${ident(where.table.name)} AS other
                    WHERE ${this.matching('other', where).join(' AND ')})`;
  }

  private condition(onlyIf: RowCondition): string {
    return 'exists' in onlyIf ? this.exists(onlyIf.exists) : `NOT ${this.exists(onlyIf.absent)}`;
  }

  private conditions(alias: string, where: RowMatch, onlyIf: RowCondition | undefined): string {
    const conditions = this.matching(alias, where);
    if (onlyIf) conditions.push(this.condition(onlyIf));
    return conditions.join(' AND ');
  }

  private insert(change: InsertRows, rowsParameter?: string): string {
    const { table } = change;
    const inherited = change.inherit ?? [];
    const columns = columnsOf(table, change.rows).filter((column) => !inherited.includes(column));
    const rows = rowsParameter ?? this.json(change.rows);
    const selected = [
      ...columns.map((column) => `given.${ident(column)}`),
      ...inherited.map((column) => `source.${ident(column)}`),
    ];
    let from = `json_populate_recordset(NULL::${ident(table.name)}, ${rows}) AS given`;
    let where = '';
    if (inherited.length > 0) {
      if (!change.onlyIf || !('exists' in change.onlyIf))
        throw new Error(
          `an insert into ${table.name} inherits columns without a row to inherit from`,
        );
      const source = change.onlyIf.exists;
      from += ` CROSS JOIN (SELECT ${inherited.map(ident).join(', ')} FROM ${ident(source.table.name)} AS other
                            WHERE ${this.matching('other', source).join(' AND ')} LIMIT 1) AS source`;
    } else if (change.onlyIf) {
      where = ` WHERE ${this.condition(change.onlyIf)}`;
    }
    const key = table.key.map(ident).join(', ');
    const overwritten = [...columns, ...inherited].filter((column) => !table.key.includes(column));
    const onConflict =
      change.existing === 'keep' || overwritten.length === 0
        ? // A refusable insert lets any unique index refuse it quietly; the key tells which one did.
          `ON CONFLICT ${change.refused ? '' : `(${key}) `}DO NOTHING`
        : `ON CONFLICT (${key}) DO UPDATE SET ${overwritten
            .map((column) => `${ident(column)} = excluded.${ident(column)}`)
            .join(', ')}${
            change.existing === 'replace-older'
              ? ` WHERE target.last_stream_version < excluded.last_stream_version`
              : ''
          }`;
    return `INSERT INTO ${ident(table.name)} AS target (${[...columns, ...inherited].map(ident).join(', ')})
            SELECT ${selected.join(', ')} FROM ${from}${where} ${onConflict}`;
  }

  private update(change: Extract<RowChange, { kind: 'update' }>): string {
    const { table } = change.where;
    const assignments = Object.keys(change.set)
      .map((column) => `${ident(column)} = given.${ident(column)}`)
      .join(', ');
    return `UPDATE ${ident(table.name)} AS target SET ${assignments}
              FROM json_populate_record(NULL::${ident(table.name)}, ${this.json(change.set)}) AS given
             WHERE ${this.conditions('target', change.where, change.onlyIf)}`;
  }

  /** The removals and the upserts meet different rows, so one statement holds both. */
  private replaceGroup(name: string, change: Extract<RowChange, { kind: 'replace-group' }>): void {
    const { table } = change;
    const [groupColumn, ...rest] = table.key;
    const rows = this.json(change.rows);
    const listed = rest.map((column) => `given.${ident(column)} = target.${ident(column)}`);
    const gone = [
      `target.${ident(groupColumn)} = ${this.value(change.group)}`,
      `NOT EXISTS (SELECT 1 FROM json_populate_recordset(NULL::${ident(table.name)}, ${rows}) AS given
                    WHERE ${listed.length > 0 ? listed.join(' AND ') : 'true'})`,
      ...(change.onlyIf ? [this.condition(change.onlyIf)] : []),
    ];
    this.parts.push(
      `${name} AS (DELETE FROM ${ident(table.name)} AS target WHERE ${gone.join(' AND ')})`,
    );
    if (change.rows.length === 0) return;
    const upsert: InsertRows = {
      kind: 'insert',
      table,
      rows: change.rows,
      existing: 'replace',
      ...(change.onlyIf ? { onlyIf: change.onlyIf } : {}),
    };
    this.parts.push(`${name}_upserted AS (${this.insert(upsert, rows)})`);
  }

  private refusedUnless(
    name: string,
    change: InsertRows,
    refused: (sql: SqlExecutor) => Promise<Error>,
  ): void {
    const [row] = change.rows;
    if (!row || change.rows.length > 1)
      throw new Error(`a refusable insert into ${change.table.name} must write one row`);
    const key: RowMatch = {
      table: change.table,
      match: Object.fromEntries(change.table.key.map((column) => [column, row[column]])),
    };
    // Not inserted, and the key was not there before (a replay): another unique index refused it.
    this.refusals.push({
      column: `refused_${this.refusals.length}`,
      test: `(NOT EXISTS (SELECT 1 FROM ${name}) AND NOT ${this.exists(key)})`,
      refused,
    });
  }
}

/**
 * Runs the changes of one event as one SQL statement in the caller's transaction; throws the
 * domain error of an insert a unique index refused.
 */
export async function applyRowChanges(
  sql: SqlExecutor,
  changes: readonly RowChange[],
): Promise<void> {
  // An insert of no rows changes nothing; a group replaced by no rows is emptied.
  const effective = changes.filter((change) => change.kind !== 'insert' || change.rows.length > 0);
  if (effective.length === 0) return;
  const statement = new Statement();
  for (const change of effective) statement.add(change);
  const { text, refusals } = statement.build();
  const [outcome] = await sql.query<Record<string, boolean>>(text, statement.parameters);
  for (const { column, refused } of refusals) {
    if (outcome?.[column]) throw await refused(sql);
  }
}

/** Runs every projection that handles the event, inside the append transaction. */
export async function applyInlineProjections(
  projections: readonly InlineProjection[],
  sql: SqlExecutor,
  event: RecordedEvent,
): Promise<void> {
  await applyRowChanges(sql, rowChangesOf(projections, event));
}
