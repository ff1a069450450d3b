import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRosettaError } from '../../core/errors.ts';
import { assertValidCode, validateCode } from './validate.ts';

const chart = {
  name: 'Orders per status',
  tableName: 'orders',
  slug: 'orders-per-status',
  spaceSlug: 'sales',
  version: 1,
  updatedAt: '2026-12-07T10:00:00.000Z',
  downloadedAt: '2026-12-07T11:00:00.000Z',
  dashboardSlug: null,
  metricQuery: {
    exploreName: 'orders',
    dimensions: ['orders_status'],
    metrics: ['orders_count'],
    filters: { dimensions: { and: [{ target: { fieldId: 'orders_status' }, operator: 'notNull' }] } },
    sorts: [{ fieldId: 'orders_count', descending: true }],
    limit: 500,
    tableCalculations: [],
  },
  chartConfig: { type: 'big_number', config: { selectedField: 'orders_count' } },
  tableConfig: { columnOrder: ['orders_status', 'orders_count'] },
};

const tile = { x: 0, y: 0, w: 12, h: 6 };
const dashboard = {
  name: 'Sales',
  slug: 'sales',
  spaceSlug: 'sales',
  version: 1,
  tabs: [{ uuid: 'tab-1', name: 'Overview', order: 0 }],
  tiles: [
    { ...tile, type: 'saved_chart', tabUuid: 'tab-1', properties: { chartSlug: 'orders-per-status' } },
    { ...tile, type: 'markdown', properties: { title: 'Notes', content: 'Read me' } },
    { ...tile, type: 'loom', properties: { title: 'Demo', url: 'https://www.loom.com/share/x' } },
  ],
  filters: {
    dimensions: [
      { target: { fieldId: 'orders_status', tableName: 'orders' }, operator: 'equals', values: ['x'] },
    ],
    metrics: [],
    tableCalculations: [],
  },
};

describe('validateCode', () => {
  it('accepts a chart and a dashboard as `lightdash download` writes them', () => {
    expect(validateCode('chart', chart)).toEqual([]);
    expect(validateCode('dashboard', dashboard)).toEqual([]);
  });

  it('names missing and mistyped fields by their path in the document, under a prefix', () => {
    const { tableName: _, ...withoutTable } = chart;
    expect(validateCode('chart', withoutTable)).toEqual([{ path: 'tableName', message: 'is required' }]);
    const badLimit = { ...chart, metricQuery: { ...chart.metricQuery, limit: 'all' } };
    expect(validateCode('chart', badLimit, 'charts[2]')).toEqual([
      { path: 'charts[2].metricQuery.limit', message: 'must be number' },
    ]);
    expect(validateCode('chart', { ...chart, updatedAt: 'yesterday' })).toEqual([
      { path: 'updatedAt', message: 'must match format "date-time"' },
    ]);
    expect(validateCode('chart', { ...chart, extra: 1 })).toEqual([
      { path: 'extra', message: 'is not a known property' },
    ]);
  });

  it('reports a union of types once, naming every type it takes', () => {
    expect(validateCode('chart', { ...chart, dashboardSlug: 7 })).toEqual([
      { path: 'dashboardSlug', message: 'must be string or null' },
    ]);
  });

  it("reports the errors of the branch a tile's or chart's type names, not of every branch", () => {
    const markdown = { ...tile, type: 'markdown', properties: { title: 'Notes' } };
    expect(validateCode('dashboard', { ...dashboard, tiles: [markdown] })).toEqual([
      { path: 'tiles[0].properties.content', message: 'is required' },
    ]);
    const unknown = { ...tile, type: 'iframe', properties: {} };
    expect(validateCode('dashboard', { ...dashboard, tiles: [unknown] })).toEqual([
      {
        path: 'tiles[0].type',
        message: 'must be one of saved_chart, sql_chart, markdown, loom, heading, data_app',
      },
    ]);
    const [problem] = validateCode('chart', { ...chart, chartConfig: { type: 'radar' } });
    expect(problem.path).toBe('chartConfig.type');
    expect(problem.message).toMatch(/^must be one of big_number, cartesian, .*sankey$/);
  });

  it('keeps keys that are no identifiers readable', () => {
    const target = { fieldId: 'orders_status', tableName: 'orders' };
    const rule = { id: 'r', target, operator: 'equals', tileTargets: { 'tile one': { fieldId: 3 } } };
    const problems = validateCode('dashboard', {
      ...dashboard,
      filters: { dimensions: [], metrics: [rule] },
    });
    expect(problems.map((problem) => problem.path)).toContain(
      'filters.metrics[0].tileTargets["tile one"].fieldId',
    );
  });
});

describe('assertValidCode', () => {
  it('throws a validation error naming the first field, with every problem in details', () => {
    const { name: _, ...withoutName } = dashboard;
    const bad = { ...withoutName, tiles: [{ ...tile, x: 'left', type: 'loom', properties: { url: 'u' } }] };
    let thrown: unknown;
    try {
      assertValidCode('dashboard', bad);
    } catch (error) {
      thrown = error;
    }
    if (!isRosettaError(thrown)) throw new Error('expected a RosettaError');
    expect(thrown.code).toBe('ERR_VALIDATION');
    expect(thrown.field).toBe('name');
    expect(thrown.message).toContain('tiles[0].x: must be number');
    expect(thrown.message).toContain('tiles[0].properties.title: is required');
    expect(Object.keys(thrown.details ?? {}).sort()).toEqual([
      'name',
      'tiles[0].properties.title',
      'tiles[0].x',
    ]);
    expect(() => assertValidCode('chart', chart)).not.toThrow();
  });
});

describe('the vendored schemas', () => {
  const installed = 'node_modules/@lightdash/common/dist/cjs/schemas/json';
  for (const file of ['chart-as-code-1.0.json', 'dashboard-as-code-1.0.json'])
    it.skipIf(!existsSync(`${installed}/${file}`))(`${file} is the installed @lightdash/common's`, () => {
      const vendored = readFileSync(new URL(`./schemas/${file}`, import.meta.url), 'utf8');
      expect(vendored).toBe(readFileSync(`${installed}/${file}`, 'utf8'));
    });
});
