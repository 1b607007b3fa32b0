import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { sqlIdentifier } from '@cls/event-store';

import type { ViewTable } from './view-tables';
import { qualified } from './view-tables';

type Row = Readonly<Record<string, unknown>>;

const ESCAPED: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A value in COPY's text format, as its column's type reads it. */
function field(value: unknown, type: string): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  if (type === 'jsonb' || type === 'json') text = JSON.stringify(value);
  else if (typeof value === 'boolean') text = value ? 't' : 'f';
  else if (typeof value === 'string' || typeof value === 'number') text = String(value);
  else throw new Error(`cannot write ${typeof value} into a ${type} column`);
  return text.replace(/[\\\n\r\t]/g, (character) => ESCAPED[character] ?? character);
}

/** Lines of COPY text, a few hundred rows per chunk. */
function* copyText(
  table: ViewTable,
  columns: readonly string[],
  rows: Iterable<Row>,
): Iterable<string> {
  const types = columns.map((column) => {
    const type = table.types[column];
    if (type === undefined) throw new Error(`${table.name} has no column ${column}`);
    return type;
  });
  let chunk = '';
  let inChunk = 0;
  for (const row of rows) {
    if (Object.keys(row).length !== columns.length || !columns.every((column) => column in row))
      throw new Error(
        `rows of ${table.name} list different columns: ${Object.keys(row).join(', ')}`,
      );
    chunk += `${columns.map((column, at) => field(row[column], types[at]!)).join('\t')}\n`;
    if (++inChunk === 500) {
      yield chunk;
      chunk = '';
      inChunk = 0;
    }
  }
  if (chunk) yield chunk;
}

/**
 * Writes rows into `schema`'s copy of a table with one COPY: the columns are those of the rows
 * (every row lists the same ones, see `InsertRows`); the others take their defaults.
 */
export async function copyRows(
  client: Client,
  schema: string,
  table: ViewTable,
  rows: Iterable<Row>,
): Promise<void> {
  const iterator = rows[Symbol.iterator]();
  const first = iterator.next();
  if (first.done) return;
  const columns = Object.keys(first.value);
  const all = (function* () {
    yield first.value;
    for (let next = iterator.next(); !next.done; next = iterator.next()) yield next.value;
  })();
  await pipeline(
    Readable.from(copyText(table, columns, all)),
    client.query(
      copyFrom(
        `COPY ${qualified(schema, table.name)} (${columns.map(sqlIdentifier).join(', ')}) FROM STDIN`,
      ),
    ),
  );
}
