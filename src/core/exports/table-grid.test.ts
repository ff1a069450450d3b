import { describe, expect, it } from 'vitest';
import { rowsWithSubtotals, scaleColour, type TableAnswer, tableGrid, totalsRow } from './table-grid.ts';

const texts = (cells: { text: string }[]) => cells.map((c) => c.text);

/**
 * Sales by country, pivoted by category and year, a metric and a post calculation (the answer
 * shape of the core: the calculation spread per column after the metric, then the row totals).
 */
function pivotAnswer(): TableAnswer {
  const spread = (metric: string, category: string | null, year: number) => ({
    name: `${metric}|${category ?? '∅'}|${year}`,
    id: `${metric}|${category ?? '∅'}|${year}`,
    kind: metric === 'share' ? ('calculation' as const) : ('metric' as const),
    type: 'number',
    pivot: { metric, values: [category, year] },
  });
  return {
    columns: [
      { name: 'country', id: 'country', kind: 'dimension', type: 'string' },
      spread('sum_quantity', 'Books', 2023),
      spread('share', 'Books', 2023),
      spread('sum_quantity', 'Books', 2024),
      spread('share', 'Books', 2024),
      spread('sum_quantity', null, 2024),
      spread('share', null, 2024),
      { name: 'sum_quantity', id: 'sum_quantity', kind: 'metric', type: 'number', label: 'Units' },
      { name: 'share', id: 'share', kind: 'calculation', type: 'number', format: 'percent' },
    ],
    rows: [
      ['France', 1200, 0.25, 300, 0.5, null, null, 1500, 0.3],
      ['Spain', 0, 0.125, 600, 0.75, 7, 1, 607, 0.7],
    ],
    totals: {
      'sum_quantity|Books|2023': 1200,
      'sum_quantity|Books|2024': 900,
      'sum_quantity|∅|2024': 7,
      sum_quantity: 2107,
      share: 1,
    },
    pivot: {
      rows: ['country'],
      columns: ['category', 'order_year'],
      metrics: ['sum_quantity', 'share'],
      values: [
        ['Books', 2023],
        ['Books', 2024],
        [null, 2024],
      ],
    },
  };
}

describe('tableGrid of a pivot', () => {
  it('has a header level per pivot dimension, spanning their value combinations, then the metrics', () => {
    const grid = tableGrid(pivotAnswer());
    expect(grid.rowHeaders).toBe(1);
    expect(grid.header.map((level) => level.map((c) => [c.text, c.span ?? 1]))).toEqual([
      [
        ['Category', 1],
        ['Books', 4],
        ['∅', 2],
        ['Total', 2],
      ],
      [
        ['Order (year)', 1],
        ['2023', 2],
        ['2024', 2],
        ['2024', 2],
        ['', 2],
      ],
      [
        ['Country', 1],
        ['Units', 1],
        ['Share', 1],
        ['Units', 1],
        ['Share', 1],
        ['Units', 1],
        ['Share', 1],
        ['Units', 1],
        ['Share', 1],
      ],
    ]);
    // every level covers every leaf column
    for (const level of grid.header) expect(level.reduce((n, c) => n + (c.span ?? 1), 0)).toBe(9);
  });

  it('formats cells per column (percent hint, widget format), leaves empty cells blank, totals from the answer', () => {
    const grid = tableGrid(pivotAnswer(), { format: 'currency', currency: 'EUR', decimals: 0 });
    expect(texts(grid.body[0].cells)).toEqual([
      'France',
      '€1,200',
      '25%',
      '€300',
      '50%',
      '',
      '',
      '€1,500',
      '30%',
    ]);
    expect(grid.footer).toHaveLength(1);
    // `share` has no spread totals in the answer: blank, never added up
    expect(texts(grid.footer[0].cells)).toEqual([
      'Total',
      '€1,200',
      '',
      '€900',
      '',
      '€7',
      '',
      '€2,107',
      '100%',
    ]);
    expect(grid.footer[0].cells.every((c) => c.strong)).toBe(true);
    expect(grid.body[0].cells.at(-1)?.strong).toBe(true);
  });

  it('colours spread cells on one scale per metric, from light to strong, with readable ink', () => {
    const grid = tableGrid(pivotAnswer());
    const [france, spain] = grid.body.map((r) => r.cells);
    // sum_quantity ranges 0..1200: France 2023 is the strongest, Spain 2023 the lightest
    expect(france[1].fill).toBe(scaleColour(1).fill);
    expect(spain[1].fill).toBe(scaleColour(0).fill);
    expect(france[3].fill).toBe(scaleColour(300 / 1200).fill);
    // share ranges 0.125..1 on its own scale
    expect(spain[6].fill).toBe(scaleColour(1).fill);
    expect(spain[2].fill).toBe(scaleColour(0).fill);
    // blanks, row headers and row totals are not coloured
    expect(france[5].fill).toBeUndefined();
    expect(france[0].fill).toBeUndefined();
    expect(france[7].fill).toBeUndefined();
    expect(scaleColour(0).ink).toBe('#1f2933');
    expect(scaleColour(1).ink).toBe('#ffffff');
  });

  it('has no totals row without row dimensions (its one row is the total) or without totals', () => {
    const answer = pivotAnswer();
    expect(tableGrid({ ...answer, totals: undefined }).footer).toEqual([]);
    const single: TableAnswer = {
      ...answer,
      columns: answer.columns.slice(1),
      rows: answer.rows.map((r) => r.slice(1)).slice(0, 1),
      pivot: { ...answer.pivot!, rows: [] },
    };
    const grid = tableGrid(single);
    expect(grid.rowHeaders).toBe(0);
    expect(grid.footer).toEqual([]);
    expect(grid.header[0][0].text).toBe('Books');
  });
});

describe('tableGrid of a plain table', () => {
  const answer: TableAnswer = {
    columns: [
      { name: 'country', id: 'country', kind: 'dimension', type: 'string' },
      { name: 'city', id: 'city', kind: 'dimension', type: 'string' },
      { name: 'sum_quantity', id: 'sum_quantity', kind: 'metric', type: 'number' },
      { name: 'running', id: 'running', kind: 'calculation', type: 'number' },
    ],
    rows: [
      ['France', 'Lyon', 5, 5],
      ['France', 'Paris', 7, 12],
      ['Spain', 'Madrid', 1, 13],
      [null, 'Nowhere', 2, 15],
    ],
    totals: { sum_quantity: 15 },
    subtotals: {
      country: [
        { country: 'France', sum_quantity: 12 },
        { country: 'Spain', sum_quantity: 1 },
        { country: null, sum_quantity: 2 },
      ],
    },
  };

  it('puts each subtotal after its group and the totals row at the bottom', () => {
    const grid = tableGrid(answer);
    expect(grid.header[0].map((c) => c.text)).toEqual(['Country', 'City', 'Sum of quantity', 'Running']);
    expect(grid.body.map((r) => texts(r.cells))).toEqual([
      ['France', 'Lyon', '5', '5'],
      ['France', 'Paris', '7', '12'],
      ['France total', '', '12', ''],
      ['Spain', 'Madrid', '1', '13'],
      ['Spain total', '', '1', ''],
      ['', 'Nowhere', '2', '15'],
      ['∅ total', '', '2', ''],
    ]);
    expect(grid.body.map((r) => r.subtotal)).toEqual([false, false, true, false, true, false, true]);
    expect(texts(grid.footer[0].cells)).toEqual(['Total', '', '15', '']);
  });

  it('leaves subtotals out when their groups are not together in the rows', () => {
    const shuffled = { ...answer, rows: [answer.rows[0], answer.rows[2], answer.rows[1]] };
    expect(rowsWithSubtotals(shuffled).every((r) => r.subtotal === undefined)).toBe(true);
  });

  it('has no totals row without totals or without a dimension to label it', () => {
    expect(totalsRow({ ...answer, totals: undefined }, {})).toBeNull();
    const metricsOnly: TableAnswer = {
      columns: [answer.columns[2]],
      rows: [[15]],
      totals: { sum_quantity: 15 },
    };
    expect(totalsRow(metricsOnly, {})).toBeNull();
  });
});
