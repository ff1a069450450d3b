import { describe, expect, it } from 'vitest';
import type { JsonScalar } from '../../engines/types.ts';
import { categoryColumn, chartDrawing, chartOption, chartTypes, tooltipValue } from './chart-options.ts';
import { renderChartSvg } from './chart-svg.ts';

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
type Series = {
  type: string;
  name: string;
  data: unknown[];
  stack?: string;
  areaStyle?: unknown;
};
type Option = Record<string, unknown>;
const draw = (type: string, options: Record<string, unknown>, result: typeof byCountry | Result) =>
  chartOption({ type, options }, result, frame) as Option;
const seriesOf = (option: Option) => option.series as Series[];
const categoriesOf = (option: Option) => (option.xAxis as { data: string[] }).data;
/** The note drawn on an untitled chart: its title line. */
const noteOf = (option: Option) => (option.title as { text?: string } | undefined)?.text;

interface Result {
  columns: { name: string; type: string }[];
  rows: JsonScalar[][];
}

/** Quarterly revenue by country, some quarters missing for some countries, floats with noise. */
const quarterly: Result = {
  columns: [
    { name: 'date_quarter', type: 'date' },
    { name: 'country', type: 'string' },
    { name: 'sum_price', type: 'number' },
  ],
  rows: [
    ['2024-01-01', 'France', 84623.73000000007],
    ['2024-01-01', 'Spain', 91718.36999999995],
    ['2024-04-01', 'France', 1000],
    ['2024-04-01', 'Japan', 7.5],
    ['2024-07-01', 'France', 2000.25],
    ['2024-07-01', 'Spain', 3000],
    ['2024-07-01', 'Japan', 11065.069999999998],
  ],
};

/** Expected values of one split value, computed from the rows with no chart code. */
function expectedSeries(result: Result, x: string, split: string, metric: string, value: string) {
  const [xi, si, mi] = [x, split, metric].map((name) => result.columns.findIndex((c) => c.name === name));
  const xs = [...new Set(result.rows.map((row) => row[xi]))];
  return xs.map((at) => result.rows.find((row) => row[xi] === at && row[si] === value)?.[mi] ?? null);
}

describe('chartOption', () => {
  it('bar: categories from the first text column, one series per metric, friendly names', () => {
    const option = draw('bar', { x: 'country', y: ['sum_price'] }, byCountry);
    expect(categoriesOf(option)).toEqual(['France', 'Spain', '(empty)']);
    expect(seriesOf(option)).toMatchObject([{ type: 'bar', name: 'Sum of price', data: [10, 20, 5] }]);
    expect(option.animation).toBe(false);
    expect(option.xAxis).toMatchObject({ name: 'Country' });
    const auto = draw('bar', {}, byCountry);
    expect(seriesOf(auto).map((s) => s.name)).toEqual(['Sum of price', 'Sum of quantity']);
    const horizontal = draw('bar', { horizontal: true }, byCountry);
    expect((horizontal.yAxis as { type: string }).type).toBe('category');
    expect(noteOf(auto)).toBeUndefined();
  });

  it('draws a numeric dimension (a bin, a month number) as categories, not as a series', () => {
    const binned = {
      columns: [
        { name: 'price', type: 'number', kind: 'dimension' },
        { name: 'date_month_of_year', type: 'integer', kind: 'dimension' },
        { name: 'count', type: 'integer', kind: 'metric' },
      ],
      rows: [
        [0, 1, 4],
        [10, 1, 2],
        [0, 2, 7],
      ],
    };
    const option = draw('bar', {}, binned);
    expect(categoriesOf(option)).toEqual(['0', '10']);
    expect(seriesOf(option).map((s) => s.name)).toEqual(['1', '2']);
    expect(seriesOf(option).map((s) => s.data)).toEqual([
      [4, 2],
      [7, null],
    ]);
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
    const option = draw('stacked_bar', {}, result);
    expect(categoriesOf(option)).toEqual(['Jan 2024', 'Feb 2024']);
    expect(seriesOf(option)).toMatchObject([
      { name: 'Books', data: [1, null], stack: 'total' },
      { name: 'Toys', data: [2, 3], stack: 'total' },
    ]);
    expect(option.legend).toBeDefined();
  });

  it('line and area', () => {
    const line = draw('line', { y: 'sum_quantity' }, byCountry);
    expect(seriesOf(line)).toMatchObject([{ type: 'line', data: [1, 2, 3] }]);
    expect(seriesOf(line)[0].areaStyle).toBeUndefined();
    const area = draw('area', { y: 'sum_quantity' }, byCountry);
    expect(seriesOf(area)[0].areaStyle).toBeDefined();
  });

  it('pie and donut', () => {
    const pie = draw('pie', { y: 'sum_price' }, byCountry);
    expect(seriesOf(pie)[0]).toMatchObject({
      type: 'pie',
      data: [
        { name: 'France', value: 10 },
        { name: 'Spain', value: 20 },
        { name: '(empty)', value: 5 },
      ],
    });
    const donut = draw('donut', {}, byCountry);
    expect((seriesOf(donut)[0] as unknown as { radius: string[] }).radius).toHaveLength(2);
  });

  it('titles, and refuses types drawn without ECharts', () => {
    const option = chartOption({ type: 'line', options: {} }, byCountry, { ...frame, title: 'T' }) as Option;
    expect(option.title).toMatchObject({ text: 'T' });
    expect(chartTypes).not.toContain('kpi');
    expect(() => chartOption({ type: 'kpi', options: {} }, byCountry, frame)).toThrow(/not drawn as a chart/);
  });
});

describe('two dimensions split the metrics into one series per value', () => {
  const countries = ['France', 'Spain', 'Japan'];

  it.each(['line', 'area', 'bar', 'stacked_bar'])(
    '%s: one series per country, each with its own numbers',
    (type) => {
      const option = draw(type, {}, quarterly);
      expect(categoriesOf(option)).toEqual(['Q1 2024', 'Q2 2024', 'Q3 2024']);
      expect(seriesOf(option).map((s) => s.name)).toEqual(countries);
      for (const series of seriesOf(option)) {
        expect(series.data).toEqual(
          expectedSeries(quarterly, 'date_quarter', 'country', 'sum_price', series.name),
        );
      }
      expect(seriesOf(option)[2].data).toEqual([null, 7.5, 11065.069999999998]);
      expect(option.legend).toBeDefined();
      expect(noteOf(option)).toBeUndefined();
    },
  );

  it('keeps options.x, options.series and options.y', () => {
    const flipped = draw('line', { x: 'country' }, quarterly);
    expect(categoriesOf(flipped)).toEqual(countries);
    expect(seriesOf(flipped).map((s) => s.name)).toEqual(['Q1 2024', 'Q2 2024', 'Q3 2024']);
    expect(seriesOf(flipped)[1].data).toEqual([1000, null, 7.5]);
    const explicit = draw('line', { series: 'country', y: ['sum_price'] }, quarterly);
    expect(seriesOf(explicit).map((s) => s.name)).toEqual(countries);
    expect(seriesOf(explicit)[1].data).toEqual([91718.36999999995, null, 3000]);
  });

  it('time categories are in time order whatever the row order', () => {
    const shuffled = {
      ...quarterly,
      rows: [...quarterly.rows].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    };
    const option = draw('line', {}, shuffled);
    expect(categoriesOf(option)).toEqual(['Q1 2024', 'Q2 2024', 'Q3 2024']);
    expect(seriesOf(option).find((s) => s.name === 'Japan')?.data).toEqual([null, 7.5, 11065.069999999998]);
  });

  it('three metrics and a split: one series per value and metric', () => {
    const result: Result = {
      columns: [
        { name: 'date_month', type: 'date' },
        { name: 'country', type: 'string' },
        { name: 'sum_price', type: 'number' },
        { name: 'sum_quantity', type: 'integer' },
        { name: 'avg_price', type: 'number' },
      ],
      rows: [
        ['2025-01-01', 'France', 100, 4, 25],
        ['2025-01-01', 'Spain', 90, 3, 30],
        ['2025-02-01', 'France', 50, 1, 50],
      ],
    };
    const option = draw('bar', {}, result);
    expect(categoriesOf(option)).toEqual(['Jan 2025', 'Feb 2025']);
    const names = ['France', 'Spain'].flatMap((c) =>
      ['Sum of price', 'Sum of quantity', 'Average price'].map((m) => `${c} · ${m}`),
    );
    expect(
      seriesOf(option)
        .map((s) => s.name)
        .sort(),
    ).toEqual(names.sort());
    for (const country of ['France', 'Spain']) {
      for (const [metric, label] of [
        ['sum_price', 'Sum of price'],
        ['sum_quantity', 'Sum of quantity'],
        ['avg_price', 'Average price'],
      ]) {
        const series = seriesOf(option).find((s) => s.name === `${country} · ${label}`);
        expect(series?.data).toEqual(expectedSeries(result, 'date_month', 'country', metric, country));
      }
    }
    const one = draw('bar', { y: 'sum_quantity' }, result);
    expect(seriesOf(one)).toMatchObject([
      { name: 'France', data: [4, 1] },
      { name: 'Spain', data: [3, null] },
    ]);
  });

  it('several other dimensions join their labels into the series key', () => {
    const result: Result = {
      columns: [
        { name: 'date_year', type: 'date' },
        { name: 'country', type: 'string' },
        { name: 'category', type: 'string' },
        { name: 'sum_quantity', type: 'integer' },
      ],
      rows: [
        ['2024-01-01', 'France', 'Books', 1],
        ['2024-01-01', 'France', 'Toys', 2],
        ['2025-01-01', 'Spain', 'Books', 3],
      ],
    };
    const option = draw('line', {}, result);
    expect(categoriesOf(option)).toEqual(['2024', '2025']);
    expect(seriesOf(option)).toMatchObject([
      { name: 'France · Books', data: [1, null] },
      { name: 'France · Toys', data: [2, null] },
      { name: 'Spain · Books', data: [null, 3] },
    ]);
  });

  it('more than 25 series: the 25 largest by the first metric, and says so', () => {
    const names = Array.from({ length: 30 }, (_, i) => `Country ${String(i).padStart(2, '0')}`);
    // Country i totals 10·i over two quarters, except Country 00 which is the largest.
    const total = (i: number) => (i === 0 ? 1000 : 10 * i);
    const rows = names.flatMap((name, i) => [
      ['2024-01-01', name, total(i) / 2, 1],
      ['2024-04-01', name, total(i) / 2, 1],
    ]);
    const result: Result = {
      columns: [
        { name: 'date_quarter', type: 'date' },
        { name: 'country', type: 'string' },
        { name: 'sum_price', type: 'number' },
        { name: 'count', type: 'integer' },
      ],
      rows,
    };
    const option = draw('line', { y: 'sum_price' }, result);
    const largest = names
      .map((name, i) => ({ name, total: total(i) }))
      .sort((a, b) => b.total - a.total)
      .slice(0, 25)
      .map((c) => c.name);
    expect(seriesOf(option).map((s) => s.name)).toEqual(names.filter((n) => largest.includes(n)));
    expect(seriesOf(option).map((s) => s.name)).not.toContain('Country 01');
    expect(noteOf(option)).toBe('showing 25 of 30 series');
    // two metrics: 12 countries × 2 metrics fit in 25
    const both = draw('line', {}, result);
    expect(seriesOf(both)).toHaveLength(24);
    expect(noteOf(both)).toBe('showing 24 of 60 series');
  });

  it('rows landing on the same point: the first is drawn, and it says so', () => {
    const raw: Result = {
      columns: [
        { name: 'date', type: 'datetime' },
        { name: 'country', type: 'string' },
        { name: 'price', type: 'number' },
      ],
      rows: [
        ['2024-01-01T00:00:00', 'France', 5],
        ['2024-01-01T00:00:00', 'France', 7],
        ['2024-01-01T00:00:00', 'France', 9],
        ['2024-01-02T00:00:00', 'France', 1],
        ['2024-01-02T00:00:00', 'Spain', 2],
      ],
    };
    const option = draw('line', {}, raw);
    expect(seriesOf(option)).toMatchObject([
      { name: 'France', data: [5, 1] },
      { name: 'Spain', data: [null, 2] },
    ]);
    expect(noteOf(option)).toBe('3 rows share a point; showing the first');
    const titled = chartDrawing({ type: 'line', options: {} }, raw, { ...frame, title: 'Raw' });
    expect(titled.option.title).toMatchObject({
      text: 'Raw',
      subtext: '3 rows share a point; showing the first',
    });
    expect(titled.note).toBe('3 rows share a point; showing the first');
  });

  it('the server export draws one line and one legend entry per country', () => {
    const svg = renderChartSvg({ type: 'line', options: {} }, quarterly, 800, 400);
    // a line series is one unfilled 2 px path in a color of its own
    const lines = svg.match(
      /<path d="M[^"]*" fill="none"[^>]* stroke="[^"]+" stroke-width="2" stroke-linejoin/g,
    );
    expect(new Set(lines?.map((path) => /stroke="([^"]+)"/.exec(path)?.[1])).size).toBe(3);
    expect(svg.match(/ecmeta_ssr_type="legend"/g)).toHaveLength(3);
    for (const country of ['France', 'Spain', 'Japan']) expect(svg).toContain(`>${country}</text>`);
  });
});

describe('scatter', () => {
  it('metric 1 on x, metric 2 on y, one point per row named after the dimension', () => {
    const option = draw('scatter', {}, byCountry);
    expect(option.xAxis).toMatchObject({ type: 'value', name: 'Sum of price' });
    expect(option.yAxis).toMatchObject({ type: 'value', name: 'Sum of quantity' });
    expect(seriesOf(option)).toMatchObject([
      {
        type: 'scatter',
        data: [
          { name: 'France', value: [10, 1] },
          { name: 'Spain', value: [20, 2] },
          { name: '(empty)', value: [5, 3] },
        ],
      },
    ]);
    // a text column named as x cannot be a value axis: ignored
    expect(seriesOf(draw('scatter', { x: 'country' }, byCountry))).toEqual(seriesOf(option));
    const swapped = draw('scatter', { x: 'sum_quantity', y: 'sum_price' }, byCountry);
    expect(seriesOf(swapped)[0].data[0]).toEqual({ name: 'France', value: [1, 10] });
    expect(noteOf(option)).toBeUndefined();
  });

  it('one metric: says why there is nothing to draw', () => {
    const option = draw(
      'scatter',
      { y: 'sum_price' },
      {
        columns: byCountry.columns.slice(0, 2),
        rows: byCountry.rows.map((row) => row.slice(0, 2)),
      },
    );
    expect(seriesOf(option)).toEqual([]);
    expect(noteOf(option)).toMatch(/scatter needs two numeric columns.*only one: Sum of price/i);
  });
});

describe('labels for people', () => {
  it('tooltip values: at most 2 decimals, thousands separated, integers whole', () => {
    const option = draw('line', {}, quarterly);
    const formatter = (option.tooltip as { valueFormatter: typeof tooltipValue }).valueFormatter;
    expect(formatter(11065.069999999998)).toBe('11,065.07');
    expect(tooltipValue(11065.069999999998)).toBe('11,065.07');
    expect(tooltipValue(84623.73000000007)).toBe('84,623.73');
    expect(tooltipValue(1234567)).toBe('1,234,567');
    expect(tooltipValue(0.5)).toBe('0.5');
    expect(tooltipValue(null)).toBe('–');
    expect(tooltipValue([1000.004, 2])).toEqual(['1,000', '2']);
    expect(tooltipValue('Books')).toBe('Books');
  });

  it('time buckets: months, quarters and years read as such, days stay ISO dates', () => {
    const bucket = (name: string, values: string[]) =>
      categoriesOf(
        draw(
          'bar',
          {},
          {
            columns: [
              { name, type: 'date' },
              { name: 'count', type: 'integer' },
            ],
            rows: values.map((v) => [v, 1]),
          },
        ),
      );
    expect(bucket('date_month', ['2025-01-01', '2025-12-01T00:00:00.000Z'])).toEqual([
      'Jan 2025',
      'Dec 2025',
    ]);
    expect(bucket('order_date_quarter', ['2025-10-01'])).toEqual(['Q4 2025']);
    expect(bucket('date_year', ['2025-01-01T00:00:00'])).toEqual(['2025']);
    expect(bucket('date_day', ['2025-01-15T00:00:00'])).toEqual(['2025-01-15']);
    expect(bucket('date_week', ['2025-01-13'])).toEqual(['2025-01-13']);
    expect(bucket('month', ['March'])).toEqual(['March']);
    const option = draw('line', {}, quarterly);
    expect(option.xAxis).toMatchObject({ name: 'Date (quarter)' });
  });

  it('the category column the UI cross-filters on follows the chosen x', () => {
    expect(categoryColumn({ type: 'line', options: {} }, quarterly)).toBe('date_quarter');
    expect(categoryColumn({ type: 'line', options: { x: 'country' } }, quarterly)).toBe('country');
    expect(categoryColumn({ type: 'scatter', options: {} }, byCountry)).toBe('country');
  });
});
