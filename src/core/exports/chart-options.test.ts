import { describe, expect, it } from 'vitest';
import { chartOption, chartTypes } from './chart-options.ts';

const byCountry = {
  columns: [
    { name: 'country', type: 'string' },
    { name: 'sum_price', type: 'number' },
    { name: 'sum_quantity', type: 'integer' },
  ],
  rows: [
    ['France', 10, 1],
    ['Spain', 20, 2],
    [null, 5, 3],
  ],
};
const frame = { width: 400, height: 300 };
type Series = { type: string; name: string; data: unknown[]; stack?: string; areaStyle?: unknown };
const seriesOf = (option: Record<string, unknown>) => option.series as Series[];

describe('chartOption', () => {
  it('bar: categories from the first text column, one series per metric', () => {
    const option = chartOption(
      { type: 'bar', options: { x: 'country', y: ['sum_price'] } },
      byCountry,
      frame,
    ) as Record<string, unknown>;
    expect((option.xAxis as { data: string[] }).data).toEqual(['France', 'Spain', '(empty)']);
    expect(seriesOf(option)).toMatchObject([{ type: 'bar', name: 'sum_price', data: [10, 20, 5] }]);
    expect(option.animation).toBe(false);
    const auto = chartOption({ type: 'bar', options: {} }, byCountry, frame) as Record<string, unknown>;
    expect(seriesOf(auto).map((s) => s.name)).toEqual(['sum_price', 'sum_quantity']);
    const horizontal = chartOption(
      { type: 'bar', options: { horizontal: true } },
      byCountry,
      frame,
    ) as Record<string, unknown>;
    expect((horizontal.yAxis as { type: string }).type).toBe('category');
  });

  it('stacked_bar: splits by the second text column and stacks', () => {
    const result = {
      columns: [
        { name: 'date_month', type: 'date' },
        { name: 'category', type: 'string' },
        { name: 'sum_quantity', type: 'number' },
      ],
      rows: [
        ['2024-01-01T00:00:00', 'Books', 1],
        ['2024-01-01T00:00:00', 'Toys', 2],
        ['2024-02-01T00:00:00', 'Toys', 3],
      ],
    };
    const option = chartOption({ type: 'stacked_bar', options: {} }, result, frame) as Record<
      string,
      unknown
    >;
    expect((option.xAxis as { data: string[] }).data).toEqual(['2024-01-01', '2024-02-01']);
    expect(seriesOf(option)).toMatchObject([
      { name: 'Books', data: [1, null], stack: 'total' },
      { name: 'Toys', data: [2, 3], stack: 'total' },
    ]);
    expect(option.legend).toBeDefined();
  });

  it('line and area', () => {
    const line = chartOption({ type: 'line', options: { y: 'sum_quantity' } }, byCountry, frame) as Record<
      string,
      unknown
    >;
    expect(seriesOf(line)).toMatchObject([{ type: 'line', data: [1, 2, 3] }]);
    expect(seriesOf(line)[0].areaStyle).toBeUndefined();
    const area = chartOption({ type: 'area', options: { y: 'sum_quantity' } }, byCountry, frame) as Record<
      string,
      unknown
    >;
    expect(seriesOf(area)[0].areaStyle).toBeDefined();
  });

  it('pie and donut', () => {
    const pie = chartOption({ type: 'pie', options: { y: 'sum_price' } }, byCountry, frame) as Record<
      string,
      unknown
    >;
    const [series] = seriesOf(pie) as (Series & { radius: unknown })[];
    expect(series).toMatchObject({
      type: 'pie',
      data: [
        { name: 'France', value: 10 },
        { name: 'Spain', value: 20 },
        { name: '(empty)', value: 5 },
      ],
    });
    const donut = chartOption({ type: 'donut', options: {} }, byCountry, frame) as Record<string, unknown>;
    expect((seriesOf(donut)[0] as unknown as { radius: string[] }).radius).toHaveLength(2);
  });

  it('scatter: numeric x and y', () => {
    const option = chartOption({ type: 'scatter', options: {} }, byCountry, frame) as Record<string, unknown>;
    expect((option.xAxis as { type: string }).type).toBe('value');
    expect(seriesOf(option)).toMatchObject([
      {
        type: 'scatter',
        data: [
          [10, 1],
          [20, 2],
          [5, 3],
        ],
      },
    ]);
  });

  it('titles, and refuses types drawn without ECharts', () => {
    const option = chartOption({ type: 'line', options: {} }, byCountry, { ...frame, title: 'T' }) as Record<
      string,
      unknown
    >;
    expect(option.title).toMatchObject({ text: 'T' });
    expect(chartTypes).not.toContain('kpi');
    expect(() => chartOption({ type: 'kpi', options: {} }, byCountry, frame)).toThrow(/not drawn as a chart/);
  });
});
