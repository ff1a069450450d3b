import { describe, expect, it } from 'vitest';
import { clickedRow } from './chart-points.ts';

const byMonthAndCountry = {
  columns: [
    { name: 'date_month', type: 'date' },
    { name: 'country', type: 'string' },
    { name: 'sum_price', type: 'number' },
    { name: 'count', type: 'integer' },
  ],
  rows: [
    ['2024-01-01', 'France', 10, 1],
    ['2024-01-01', 'Spain', 20, 2],
    ['2024-02-01', 'France', 30, 3],
    ['2024-02-01', 'Spain', 40, 4],
    ['2024-02-01', null, 50, 5],
  ],
};

describe('the row behind a chart click', () => {
  it('finds a bar by its category and split series', () => {
    const bar = { type: 'bar', options: { y: ['sum_price'] } };
    expect(clickedRow(bar, byMonthAndCountry, { name: 'Feb 2024', seriesName: 'Spain', dataIndex: 1 })).toBe(
      3,
    );
    expect(
      clickedRow(bar, byMonthAndCountry, { name: 'Feb 2024', seriesName: '(empty)', dataIndex: 1 }),
    ).toBe(4);
    expect(clickedRow(bar, byMonthAndCountry, { name: 'Mar 2024', seriesName: 'Spain', dataIndex: 2 })).toBe(
      undefined,
    );
  });

  it('tells the metric series of a split chart apart from the split values', () => {
    const line = { type: 'line', options: {} };
    const click = { name: 'Jan 2024', seriesName: 'Spain · Count', dataIndex: 0 };
    expect(clickedRow(line, byMonthAndCountry, click)).toBe(1);
  });

  it('finds a bar of a one-dimension chart by its category alone', () => {
    const result = {
      columns: byMonthAndCountry.columns.slice(1),
      rows: byMonthAndCountry.rows.slice(0, 2).map((r) => r.slice(1)),
    };
    const click = { name: 'Spain', seriesName: 'Sum of price', dataIndex: 1 };
    expect(clickedRow({ type: 'bar', options: {} }, result, click)).toBe(1);
  });

  it('takes the slice of a pie, and the point of a scatter series, by position', () => {
    expect(clickedRow({ type: 'pie', options: {} }, byMonthAndCountry, { name: 'x', dataIndex: 2 })).toBe(2);
    const scatter = { type: 'scatter', options: { series: 'country' } };
    expect(clickedRow(scatter, byMonthAndCountry, { seriesName: 'France', dataIndex: 1 })).toBe(2);
    expect(clickedRow({ type: 'scatter', options: {} }, byMonthAndCountry, { dataIndex: 4 })).toBe(4);
    expect(clickedRow({ type: 'table', options: {} }, byMonthAndCountry, { dataIndex: 0 })).toBe(undefined);
  });
});
