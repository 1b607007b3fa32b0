import { renderTable } from './text-table';

describe('renderTable', () => {
  it('pads columns to their widest cell, numbers to the right, blanks for missing values', () => {
    const rows = [
      { name: 'session-transfer', count: 7, note: undefined },
      { name: 'gc', count: 1234, note: 'slow' },
    ];
    expect(
      renderTable(
        [
          { header: 'queue', value: (row) => row.name },
          { header: 'n', value: (row) => row.count, align: 'right' },
          { header: 'note', value: (row) => row.note },
        ],
        rows,
      ),
    ).toBe(
      [
        'queue                n  note',
        'session-transfer     7',
        'gc                1234  slow',
      ].join('\n'),
    );
  });
});
