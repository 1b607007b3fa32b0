import type { SqlExecutor } from '@cls/event-store';
import { sqlIdentifier } from '@cls/event-store';

import { activityColumnsOf } from './activity-columns';
import type { ViewTable } from './view-tables';
import { qualified } from './view-tables';

/** How a rebuilt table compares with the live one, row by row on the primary key. */
export interface TableComparison {
  readonly table: string;
  readonly liveRows: number;
  readonly rebuiltRows: number;
  /** Live rows the replay did not build. */
  readonly missing: number;
  /** Rows the replay built that are not live. */
  readonly extra: number;
  /** Rows in both whose columns (other than the activity columns) differ. */
  readonly different: number;
  /** A few primary keys of missing, extra or different rows, `/`-joined. */
  readonly sampleKeys: readonly string[];
}

const SAMPLE_KEYS = 5;

const column = (alias: string, name: string): string => `${alias}.${sqlIdentifier(name)}`;

/**
 * Copies the activity columns of rows present in both tables from `live` into `rebuilt`. Runs
 * while appends are held off, so it rewrites only the rows whose values differ.
 */
export async function carryOverActivity(
  sql: SqlExecutor,
  table: ViewTable,
  live: string,
  rebuilt: string,
): Promise<void> {
  const columns = activityColumnsOf(table.name).filter((name) => table.columns.includes(name));
  if (columns.length === 0) return;
  await sql.query(
    `UPDATE ${qualified(rebuilt, table.name)} r
        SET ${columns.map((name) => `${sqlIdentifier(name)} = ${column('l', name)}`).join(', ')}
       FROM ${qualified(live, table.name)} l
      WHERE ${table.keyColumns.map((key) => `${column('r', key)} = ${column('l', key)}`).join(' AND ')}
        AND (${columns.map((name) => column('r', name)).join(', ')}) IS DISTINCT FROM (${columns.map((name) => column('l', name)).join(', ')})`,
  );
}

/** A comparison, and the groups (values of the key's first column) of the rows that differ. */
export interface GroupedComparison {
  readonly comparison: TableComparison;
  /** As text; `undefined` when more than `GROUPS_KEPT` groups differ. */
  readonly differingGroups: readonly string[] | undefined;
}

/** Beyond this many differing groups, a comparison is repeated whole rather than by group. */
const GROUPS_KEPT = 10_000;

/**
 * Compares the rebuilt table with the live one row by row on the primary key, leaving the
 * activity columns out; with `within`, only the rows of those groups (the row counts stay whole).
 */
export async function compareTable(
  sql: SqlExecutor,
  table: ViewTable,
  live: string,
  rebuilt: string,
  within?: readonly string[],
): Promise<GroupedComparison> {
  const activity = activityColumnsOf(table.name);
  const compared = table.columns.filter(
    (name) => !table.keyColumns.includes(name) && !activity.includes(name),
  );
  const key = table.keyColumns;
  const [firstKey] = key;
  if (firstKey === undefined) throw new Error(`read model ${table.name} has no primary key`);
  const differs =
    compared.length === 0
      ? 'false'
      : `(${compared.map((name) => column('l', name)).join(', ')}) IS DISTINCT FROM (${compared.map((name) => column('r', name)).join(', ')})`;
  const missing = `${column('r', firstKey)} IS NULL`;
  const extra = `${column('l', firstKey)} IS NULL`;
  const keyText = `concat_ws('/', ${key.map((name) => `coalesce(${column('l', name)}, ${column('r', name)})::text`).join(', ')})`;
  const group = `coalesce(${column('l', firstKey)}, ${column('r', firstKey)})::text`;
  // By group, each side is read through its primary key's index.
  const side = (schema: string): string =>
    within === undefined
      ? qualified(schema, table.name)
      : `(SELECT * FROM ${qualified(schema, table.name)} WHERE ${sqlIdentifier(firstKey)} = ANY ($1::text[]::${table.types[firstKey]}[]))`;
  const [row] = await sql.query<{
    live_rows: string;
    rebuilt_rows: string;
    missing: string;
    extra: string;
    different: string;
    sample_keys: string[] | null;
    groups: string[] | null;
  }>(
    `SELECT (SELECT count(*) FROM ${qualified(live, table.name)}) AS live_rows,
            (SELECT count(*) FROM ${qualified(rebuilt, table.name)}) AS rebuilt_rows,
            count(*) FILTER (WHERE ${missing}) AS missing,
            count(*) FILTER (WHERE ${extra}) AS extra,
            count(*) FILTER (WHERE NOT (${missing}) AND NOT (${extra})) AS different,
            (array_agg(${keyText} ORDER BY ${keyText}))[1:${SAMPLE_KEYS}] AS sample_keys,
            (array_agg(DISTINCT ${group}))[1:${GROUPS_KEPT + 1}] AS groups
       FROM ${side(live)} l
       FULL JOIN ${side(rebuilt)} r
         ON ${key.map((name) => `${column('l', name)} = ${column('r', name)}`).join(' AND ')}
      WHERE ${missing} OR ${extra} OR ${differs}`,
    within === undefined ? [] : [within],
  );
  const groups = row?.groups ?? [];
  return {
    comparison: {
      table: table.name,
      liveRows: Number(row?.live_rows ?? 0),
      rebuiltRows: Number(row?.rebuilt_rows ?? 0),
      missing: Number(row?.missing ?? 0),
      extra: Number(row?.extra ?? 0),
      different: Number(row?.different ?? 0),
      sampleKeys: row?.sample_keys ?? [],
    },
    differingGroups: groups.length > GROUPS_KEPT ? undefined : groups,
  };
}

export const isIdentical = (comparison: TableComparison): boolean =>
  comparison.missing + comparison.extra + comparison.different === 0;
