import type { SqlExecutor } from '@cls/event-store';
import { sqlIdentifier } from '@cls/event-store';

/** A read model table and the columns a row comparison needs. */
export interface ViewTable {
  readonly name: string;
  readonly keyColumns: readonly string[];
  readonly columns: readonly string[];
  /** Each column's SQL type, as `format_type` prints it. */
  readonly types: Readonly<Record<string, string>>;
}

/** `schema.table`, quoted. */
export const qualified = (schema: string, table: string): string =>
  `${sqlIdentifier(schema)}.${sqlIdentifier(table)}`;

/**
 * Every read model of a schema: the tables named `*_view` (STYLE §3), so a new projection's table
 * is rebuilt without being listed anywhere. Each needs a primary key to be compared row by row.
 */
export async function viewTablesOf(sql: SqlExecutor, schema: string): Promise<ViewTable[]> {
  const rows = await sql.query<{
    name: string;
    columns: string[];
    types: string[];
    key_columns: string[] | null;
  }>(
    `SELECT c.relname AS name,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns,
            array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) AS types,
            array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attnum = ANY (pk.conkey)) AS key_columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
      WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname LIKE '%\\_view'
      GROUP BY c.relname
      ORDER BY c.relname`,
    [schema],
  );
  return rows.map((row) => {
    if (!row.key_columns) throw new Error(`read model ${row.name} has no primary key`);
    return {
      name: row.name,
      columns: row.columns,
      keyColumns: row.key_columns,
      types: Object.fromEntries(row.columns.map((column, at) => [column, row.types[at] ?? ''])),
    };
  });
}

/**
 * Creates, in the new schema `to`, empty copies of `tables` from schema `from`: columns,
 * defaults, NOT NULL and checks only, so a bulk load meets no index. `cloneConstraints` adds
 * the rest.
 */
export async function cloneTables(
  sql: SqlExecutor,
  tables: readonly ViewTable[],
  from: string,
  to: string,
): Promise<void> {
  await sql.query(`CREATE SCHEMA ${sqlIdentifier(to)}`);
  for (const table of tables) {
    await sql.query(
      `CREATE TABLE ${qualified(to, table.name)} (LIKE ${qualified(from, table.name)} INCLUDING ALL EXCLUDING INDEXES)`,
    );
  }
}

/** The statements that give the copies their constraints and indexes, in two rounds. */
export interface ConstraintStatements {
  /** Primary keys, unique and exclusion constraints, and the other indexes, in any order. */
  readonly keysAndIndexes: readonly string[];
  /** After those (they reference keys); each names the referenced table unqualified. */
  readonly foreignKeys: readonly string[];
}

/**
 * The statements that give the copies in `to` the constraints and indexes of `from`, under the
 * same names, so a migration can still name them once the copies are swapped in. A foreign key
 * must run where `to` is the search path, so it references the copy. Runs in the caller's
 * transaction (it sets the search path locally).
 */
export async function constraintStatementsOf(
  sql: SqlExecutor,
  tables: readonly ViewTable[],
  from: string,
  to: string,
): Promise<ConstraintStatements> {
  const names = tables.map((table) => table.name);
  // Printed while `from` is the search path, a foreign key names the referenced table unqualified.
  await sql.query(`SET LOCAL search_path TO ${sqlIdentifier(from)}`);
  const constraints = (kinds: readonly string[]) =>
    sql.query<{ ddl: string }>(
      `SELECT format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', $2::text, c.relname, k.conname,
                     pg_get_constraintdef(k.oid)) AS ddl
         FROM pg_constraint k
         JOIN pg_class c ON c.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = ANY ($3) AND k.contype = ANY ($4)
        ORDER BY c.relname, k.conname`,
      [from, to, names, kinds],
    );
  const keys = await constraints(['p', 'u', 'x']);
  const foreignKeys = await constraints(['f']);
  const indexes = await sql.query<{ original: string; ddl: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS original,
            replace(pg_get_indexdef(i.indexrelid), format(' ON %I.%I ', n.nspname, c.relname),
                    format(' ON %I.%I ', $2::text, c.relname)) AS ddl
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY ($3)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
      ORDER BY c.relname`,
    [from, to, names],
  );
  for (const { original, ddl } of indexes) {
    if (ddl === original) throw new Error(`cannot retarget index definition: ${original}`);
  }
  return {
    keysAndIndexes: [...keys.map(({ ddl }) => ddl), ...indexes.map(({ ddl }) => ddl)],
    foreignKeys: foreignKeys.map(({ ddl }) => ddl),
  };
}
