import { describe, expect, it } from 'vitest';
import type { JsonScalar } from '../../engines/types.ts';
import { PALETTE } from './chart-display.ts';
import { chartDrawing, chartOption } from './chart-options.ts';
import { renderChartSvg } from './chart-svg.ts';

type Option = Record<string, unknown>;
type Formatter = (params: unknown) => string;
interface Series {
  type: string;
  name: string;
  id?: string;
  data: unknown[];
  label?: { show: boolean; position?: string; formatter: Formatter };
  markLine?: { data: Record<string, number>[]; label: { formatter: string } };
}
interface Axis {
  type: string;
  name?: string;
  data?: string[];
  axisLabel: { formatter?: (v: number) => string; interval?: number; rotate?: number; hideOverlap?: boolean };
  max?: (extent: { max: number }) => number | undefined;
  min?: (extent: { min: number }) => number | undefined;
}
interface Result {
  columns: { name: string; type: string }[];
  rows: JsonScalar[][];
}

const revenue: Result = {
  columns: [
    { name: 'country', type: 'string' },
    { name: 'revenue', type: 'number' },
  ],
  rows: [
    ['France', 1234.5],
    ['Spain', 200],
  ],
};
const frame = { width: 600, height: 400 };
const draw = (type: string, options: Record<string, unknown>, result: Result = revenue, size = frame) =>
  chartOption({ type, options }, result, size) as Option;
const seriesOf = (option: Option) => option.series as Series[];
const axes = (option: Option) => ({ x: option.xAxis as Axis, y: option.yAxis as Axis });

/** `count` countries with long names, one revenue each. */
function countries(count: number): Result {
  return {
    columns: revenue.columns,
    rows: Array.from({ length: count }, (_, i) => [`Federal Republic of Country ${i + 1}`, 1000 + i]),
  };
}

/** Distance of two colours in CIELAB (ΔE 1976): about 2.3 is the least people notice. */
function deltaE(a: string, b: string): number {
  const lab = (hex: string) => {
    const n = Number.parseInt(hex.slice(1), 16);
    const [r, g, b] = [n >> 16, (n >> 8) & 255, n & 255].map((v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
    const x = f((r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047);
    const y = f(r * 0.2126 + g * 0.7152 + b * 0.0722);
    const z = f((r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883);
    return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
  };
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

describe('number format', () => {
  const euros = { format: 'currency', currency: 'EUR', decimals: 2 };

  it('formats tooltips, axis labels and data labels of a chart', () => {
    const option = draw('bar', { ...euros, dataLabels: true });
    const tooltip = (option.tooltip as { valueFormatter: (v: unknown) => string }).valueFormatter;
    expect(tooltip(1234.5)).toBe('€1,234.50');
    expect(axes(option).y.axisLabel.formatter?.(12345.6)).toBe('€12.3K');
    const [bars] = seriesOf(option);
    expect(bars.label).toMatchObject({ show: true, position: 'top' });
    expect(bars.label?.formatter({ value: 1234.5 })).toBe('€1,234.50');
    expect(bars.label?.formatter({ value: null })).toBe('');
  });

  it('percent with one decimal, and prefix and suffix', () => {
    const option = draw('line', { format: 'percent', decimals: 1 });
    const tooltip = (option.tooltip as { valueFormatter: (v: unknown) => string }).valueFormatter;
    expect(tooltip(0.256)).toBe('25.6%');
    const affixed = draw('bar', { prefix: '~', suffix: ' units', decimals: 0 });
    expect((affixed.tooltip as { valueFormatter: (v: unknown) => string }).valueFormatter(1234.5)).toBe(
      '~1,235 units',
    );
  });

  it('labels pie slices with value and share, and scatter points with their y', () => {
    const pie = seriesOf(draw('pie', { ...euros, dataLabels: true }))[0];
    expect(pie.label?.formatter({ name: 'France', value: 1234.5, percent: 86.06 })).toBe(
      'France: €1,234.50 (86.06%)',
    );
    const scatter = seriesOf(
      draw(
        'scatter',
        { dataLabels: true, decimals: 1 },
        {
          columns: [...revenue.columns, { name: 'units', type: 'integer' }],
          rows: [['France', 10, 3]],
        },
      ),
    )[0];
    expect(scatter.label?.formatter({ value: [10, 3] })).toBe('3.0');
  });

  it('without settings, no data labels and the defaults', () => {
    const option = draw('bar', {});
    expect(seriesOf(option)[0].label).toBeUndefined();
    expect(axes(option).y.axisLabel.formatter?.(1234567)).toBe('1.2M');
  });
});

describe('axis titles', () => {
  it('default to the columns, are replaced, or hidden by an empty title', () => {
    expect(axes(draw('bar', {})).x.name).toBe('Country');
    expect(axes(draw('bar', {})).y.name).toBe('Revenue');
    const titled = axes(draw('bar', { xTitle: 'Market', yTitle: 'Sales (€)' }));
    expect([titled.x.name, titled.y.name]).toEqual(['Market', 'Sales (€)']);
    expect(axes(draw('bar', { xTitle: '' })).x.name).toBeUndefined();
    // horizontal bars: the titles follow their columns, whichever side they are drawn on
    const horizontal = axes(draw('bar', { horizontal: true, xTitle: 'Market' }));
    expect(horizontal.y).toMatchObject({ type: 'category', name: 'Market' });
  });
});

/** Revenue of a year split by country: one series per country. */
const byCountry = (rows: JsonScalar[][]): Result => ({
  columns: [
    { name: 'date_year', type: 'date' },
    { name: 'country', type: 'string' },
    { name: 'revenue', type: 'number' },
  ],
  rows,
});

describe('colours', () => {
  const wide = byCountry(Array.from({ length: 20 }, (_, i) => ['2024-01-01', `Country ${i + 1}`, i]));

  it('20 series get 20 colours people tell apart', () => {
    const option = draw('line', {}, wide);
    expect(seriesOf(option)).toHaveLength(20);
    const colors = (option.color as string[]).slice(0, 20);
    expect(new Set(colors).size).toBe(20);
    for (const [i, a] of PALETTE.entries())
      for (const b of PALETTE.slice(i + 1)) expect(deltaE(a, b), `${a} ${b}`).toBeGreaterThan(20);
  });

  it("the user's colours come first, then the palette without them", () => {
    const option = draw('line', { colors: ['#ff0000', '#5070dd', 'not a colour'] }, wide);
    const colors = option.color as string[];
    expect(colors.slice(0, 3)).toEqual(['#ff0000', '#5070dd', '#b6d634']);
    expect(new Set(colors.slice(0, 20)).size).toBe(20);
  });

  it('the server draws each of 20 series in its own colour', () => {
    const svg = renderChartSvg({ type: 'line', options: {} }, wide, 900, 500);
    const strokes = svg.match(/<path d="M[^"]*" fill="none"[^>]* stroke="([^"]+)" stroke-width="2"/g) ?? [];
    // one point per series: ECharts draws it as a symbol; the legend icons carry the colours
    const fills = new Set([...svg.matchAll(/fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]));
    for (const color of PALETTE.slice(0, 20))
      expect(fills.has(color) || strokes.join().includes(color)).toBe(true);
  });
});

describe('goal line', () => {
  it('is a dashed mark line of its own series, labelled and formatted', () => {
    const option = draw('bar', {
      goal: { value: 1000, label: 'Target' },
      format: 'currency',
      currency: 'EUR',
    });
    const goal = seriesOf(option).find((s) => s.id === 'goal');
    expect(goal).toMatchObject({ type: 'line', data: [] });
    expect(goal?.markLine?.data).toEqual([{ yAxis: 1000 }]);
    expect(goal?.markLine?.label.formatter).toBe('Target: €1,000.00');
    // not a legend entry: it is no series of the data
    expect((option.legend as { data?: string[] } | undefined)?.data ?? []).not.toContain('Target');
    const horizontal = seriesOf(draw('bar', { goal: { value: 5 }, horizontal: true })).find(
      (s) => s.id === 'goal',
    );
    expect(horizontal?.markLine?.data).toEqual([{ xAxis: 5 }]);
    expect(horizontal?.markLine?.label.formatter).toBe('5');
  });

  it('stretches the value axis to a goal above the data, to a round number', () => {
    const { y } = axes(draw('bar', { goal: { value: 1234 } }));
    expect(y.max?.({ max: 200 })).toBe(1500);
    expect(y.max?.({ max: 5000 })).toBeUndefined();
    const svg = renderChartSvg(
      { type: 'bar', options: { goal: { value: 2500, label: 'Goal' } } },
      revenue,
      600,
      400,
    );
    expect(svg).toContain('>Goal: 2,500</text>');
    expect(svg).toContain('>2.5K</text>');
  });

  it('never moves the start of bars: a goal below the data leaves the axis at zero', () => {
    const { y } = axes(draw('bar', { goal: { value: 300 } }, countries(3)));
    expect(y.min?.({ min: 1000 })).toBeUndefined();
    expect(axes(draw('bar', { goal: { value: -120 } })).y.min?.({ min: 200 })).toBe(-150);
    // a scatter's axes fit the data, so they stretch down to the goal
    const points = {
      columns: [...revenue.columns, { name: 'units', type: 'integer' }],
      rows: [['a', 1, 500]],
    };
    expect(axes(draw('scatter', { goal: { value: 300 } }, points)).y.min?.({ min: 500 })).toBe(300);
  });

  it('ignores a goal without a number', () => {
    expect(seriesOf(draw('bar', { goal: { label: 'x' } })).some((s) => s.id === 'goal')).toBe(false);
  });
});

describe('category labels all show', () => {
  it('20 long labels in a narrow bar chart: horizontal bars, every label', () => {
    const option = draw('bar', {}, countries(20), { width: 420, height: 560 });
    const { x, y } = axes(option);
    expect(y).toMatchObject({ type: 'category' });
    expect(x.type).toBe('value');
    expect(y.axisLabel).toMatchObject({ interval: 0, hideOverlap: false });
    expect(y.data).toHaveLength(20);
  });

  it('unless horizontal is false: the labels turn instead', () => {
    const narrow = axes(draw('bar', { horizontal: false }, countries(20), { width: 420, height: 400 })).x;
    expect(narrow).toMatchObject({
      type: 'category',
      axisLabel: { interval: 0, hideOverlap: false, rotate: 90 },
    });
    const wide = axes(draw('bar', { horizontal: false }, countries(20), { width: 1400, height: 400 })).x;
    expect(wide.axisLabel).toMatchObject({ interval: 0, rotate: 30 });
    const middle = axes(draw('bar', { horizontal: false }, countries(20), { width: 500, height: 400 })).x;
    expect(middle.axisLabel).toMatchObject({ interval: 0, rotate: 45 });
  });

  it('few labels turn rather than switch; labels that fit stay flat; labelRotation is obeyed', () => {
    expect(axes(draw('bar', {}, countries(6), { width: 400, height: 300 })).x.axisLabel).toMatchObject({
      interval: 0,
      rotate: 30,
    });
    expect(axes(draw('bar', {})).x.axisLabel).toEqual({ interval: 0, hideOverlap: false });
    expect(axes(draw('bar', { labelRotation: 60 }, countries(20))).x.axisLabel).toMatchObject({
      interval: 0,
      rotate: 60,
    });
  });

  it('a long time series keeps every n-th label', () => {
    const days: Result = {
      columns: [
        { name: 'date_day', type: 'date' },
        { name: 'revenue', type: 'number' },
      ],
      rows: Array.from({ length: 365 }, (_, i) => [
        new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
        i,
      ]),
    };
    expect(axes(draw('line', {}, days)).x.axisLabel).toEqual({ hideOverlap: true });
  });

  it('the server draws all 20 labels, whole, both ways', () => {
    for (const options of [{}, { horizontal: false }]) {
      const svg = renderChartSvg({ type: 'bar', options }, countries(20), 420, 560);
      const labels = [...svg.matchAll(/>(Federal Republic of [^<]*)<\/text>/g)].map((m) => m[1]);
      expect(labels).toEqual(countries(20).rows.map((row) => row[0]));
    }
  });
});

describe('legend and hidden series', () => {
  const split = byCountry([
    ['2024-01-01', 'France', 1],
    ['2024-01-01', 'Spain', 2],
  ]);
  const legendOf = (options: Record<string, unknown>, result = split) =>
    draw('line', options, result).legend as Record<string, unknown> | undefined;

  it('stands where asked', () => {
    expect(legendOf({})).toMatchObject({ bottom: 0, data: ['France', 'Spain'] });
    expect(legendOf({ legend: 'top' })).toMatchObject({ top: 8 });
    expect(legendOf({ legend: 'right' })).toMatchObject({ orient: 'vertical', right: 0 });
    expect(legendOf({ legend: 'none' })).toBeUndefined();
    // asked for, a single series gets a legend too
    expect(legendOf({ legend: 'top' }, revenue)).toMatchObject({ data: ['Revenue'] });
    const grid = (options: Record<string, unknown>) =>
      draw('line', options, split).grid as Record<string, number>;
    expect(grid({ legend: 'top' }).top).toBeGreaterThan(grid({ legend: 'none' }).top);
    expect(grid({ legend: 'right' }).right).toBeGreaterThan(grid({ legend: 'none' }).right);
  });

  it('hidden series start switched off, even without a visible legend', () => {
    expect(legendOf({ hiddenSeries: ['Spain', 'Nowhere'] })).toMatchObject({ selected: { Spain: false } });
    expect(legendOf({ hiddenSeries: ['Spain'], legend: 'none' })).toMatchObject({
      show: false,
      selected: { Spain: false },
    });
    const { entries } = chartDrawing({ type: 'line', options: {} }, split, frame);
    expect(entries).toEqual(['France', 'Spain']);
  });
});
