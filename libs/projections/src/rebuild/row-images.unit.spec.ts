import type { ProjectedTable, RowChange } from '@cls/event-store';

import { RowImages } from './row-images';

const SESSIONS: ProjectedTable = { name: 'session_view', key: ['id'] };
const FILES: ProjectedTable = { name: 'file_view', key: ['session_id', 'name'] };

const rowsOf = (images: RowImages, table: ProjectedTable) => [
  ...[...images.tablesWritten()].find((written) => written.table === table)!.rows,
];

const file = (name: string, version: number, extra: Record<string, unknown> = {}) => ({
  session_id: 's',
  name,
  status: 'READY',
  last_stream_version: version,
  ...extra,
});

describe('RowImages', () => {
  it('given a row, when an older replace-older insert meets it, then it stays; a newer one replaces it', () => {
    const images = new RowImages();
    const insert = (version: number, status: string): RowChange => ({
      kind: 'insert',
      table: FILES,
      existing: 'replace-older',
      rows: [file('a', version, { status })],
    });
    images.apply([insert(2, 'FIRST')]);
    images.apply([insert(1, 'OLDER')]);
    expect(rowsOf(images, FILES)).toEqual([file('a', 2, { status: 'FIRST' })]);
    images.apply([insert(3, 'NEWER')]);
    expect(rowsOf(images, FILES)).toEqual([file('a', 3, { status: 'NEWER' })]);
  });

  it('when an event deletes a row and inherits from it, then the inherit reads the row as it was before the event', () => {
    const images = new RowImages();
    images.apply([
      {
        kind: 'insert',
        table: FILES,
        existing: 'keep',
        rows: [file('archive', 1, { source: 'PULL' })],
      },
    ]);
    const archive = { table: FILES, match: { session_id: 's', name: 'archive' }, olderThan: 2 };
    images.apply([
      { kind: 'delete', where: archive },
      {
        kind: 'insert',
        table: FILES,
        existing: 'replace',
        rows: [file('member', 2, { source: 'NONE' })],
        onlyIf: { exists: archive },
        inherit: ['source'],
      },
    ]);
    expect(rowsOf(images, FILES)).toEqual([file('member', 2, { source: 'PULL' })]);
  });

  it('when a condition does not hold, then its change is skipped', () => {
    const images = new RowImages();
    images.apply([
      { kind: 'insert', table: SESSIONS, existing: 'keep', rows: [{ id: 's', state: 'ACTIVE' }] },
      {
        kind: 'insert',
        table: FILES,
        existing: 'keep',
        rows: [file('a', 1)],
        onlyIf: { absent: { table: SESSIONS, match: { id: 's' } } },
      },
    ]);
    images.apply([
      {
        kind: 'insert',
        table: FILES,
        existing: 'keep',
        rows: [file('b', 1)],
        onlyIf: { absent: { table: SESSIONS, match: { id: 's' } } },
      },
    ]);
    expect(rowsOf(images, FILES).map((row) => row.name)).toEqual(['a']);
  });

  it('when a group is replaced, then rows no longer listed go and listed ones are overwritten', () => {
    const images = new RowImages();
    images.apply([
      { kind: 'insert', table: FILES, existing: 'keep', rows: [file('a', 1), file('b', 1)] },
    ]);
    images.apply([
      { kind: 'replace-group', table: FILES, group: 's', rows: [file('b', 2), file('c', 2)] },
    ]);
    expect(rowsOf(images, FILES)).toEqual([file('b', 2), file('c', 2)]);
  });

  it('refuses an event that changes one row twice, which one SQL statement cannot do', () => {
    const images = new RowImages();
    images.apply([{ kind: 'insert', table: FILES, existing: 'keep', rows: [file('a', 1)] }]);
    const where = { table: FILES, match: { session_id: 's', name: 'a' } };
    expect(() =>
      images.apply([
        { kind: 'update', where, set: { status: 'ERROR' } },
        { kind: 'delete', where },
      ]),
    ).toThrow('changes row');
  });

  it('refuses a match that does not name the group column', () => {
    const images = new RowImages();
    expect(() =>
      images.apply([{ kind: 'delete', where: { table: FILES, match: { name: 'a' } } }]),
    ).toThrow('must name session_id');
  });
});
