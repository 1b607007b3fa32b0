export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | undefined;
  /** Numbers read best right-aligned. */
  readonly align?: 'left' | 'right';
}

/** Rows as a plain text table with a header, columns padded to their widest cell. */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((column) => String(column.value(row) ?? '')));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((value, index) =>
        columns[index]?.align === 'right'
          ? value.padStart(widths[index] ?? 0)
          : value.padEnd(widths[index] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}
