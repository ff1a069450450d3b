import { describe, expect, it } from 'vitest';
import { isRosettaError } from '../errors.ts';
import { parseDashboardCreate } from './dashboard-input.ts';

const query = { source: 'demo_sales', metrics: [{ field: 'price', aggregation: 'sum' }] };
const dashboardWith = (options: Record<string, unknown>) => ({
  name: 'Display',
  widgets: [{ id: 'w', query, visualization: { type: 'bar', options } }],
});

/** The field a body's validation error names, or undefined when it is accepted. */
function refusedField(options: Record<string, unknown>): string | undefined {
  try {
    parseDashboardCreate(dashboardWith(options));
    return undefined;
  } catch (error) {
    if (!isRosettaError(error) || error.code !== 'ERR_VALIDATION') throw error;
    return error.field;
  }
}

describe('visualization display options', () => {
  it('accepts every setting, null as unset, and keys of other uses', () => {
    const options = {
      format: 'currency',
      currency: 'EUR',
      decimals: 2,
      prefix: '~',
      suffix: ' net',
      xTitle: 'Market',
      yTitle: '',
      dataLabels: true,
      horizontal: false,
      colors: ['#ff0000', '#0A0'],
      goal: { value: 1000, label: 'Target' },
      labelRotation: -45,
      legend: 'right',
      hiddenSeries: ['Spain'],
      x: 'country',
      symbolSize: 4,
      somethingElse: { kept: true },
    };
    const parsed = parseDashboardCreate(dashboardWith(options));
    expect(parsed.content.widgets[0].visualization.options).toEqual(options);
    expect(refusedField({ decimals: null, goal: null, legend: null })).toBeUndefined();
  });

  it.each([
    [{ format: 'money' }, 'format'],
    [{ currency: 'euro' }, 'currency'],
    [{ currency: 'E1R' }, 'currency'],
    [{ decimals: 7 }, 'decimals'],
    [{ decimals: 1.5 }, 'decimals'],
    [{ decimals: '2' }, 'decimals'],
    [{ prefix: 'x'.repeat(21) }, 'prefix'],
    [{ xTitle: 3 }, 'xTitle'],
    [{ dataLabels: 'yes' }, 'dataLabels'],
    [{ horizontal: 1 }, 'horizontal'],
    [{ colors: '#fff' }, 'colors'],
    [{ colors: ['#fff', 'red'] }, 'colors[1]'],
    [{ goal: 1000 }, 'goal'],
    [{ goal: { label: 'x' } }, 'goal.value'],
    [{ goal: { value: 'high' } }, 'goal.value'],
    [{ goal: { value: 1, color: 'red' } }, 'goal.color'],
    [{ labelRotation: 120 }, 'labelRotation'],
    [{ legend: 'left' }, 'legend'],
    [{ hiddenSeries: [1] }, 'hiddenSeries[0]'],
  ])('refuses %j naming the field', (options, key) => {
    expect(refusedField(options)).toBe(`widgets[0].visualization.options.${key}`);
  });
});
