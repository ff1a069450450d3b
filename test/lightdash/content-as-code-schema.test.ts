import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCode } from '../../src/formats/lightdash-code/validate.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { ld as request } from './support.ts';

/**
 * Content as code against the JSON schemas Lightdash publishes (`@lightdash/common`): what the
 * downloads give validates, so `lightdash download` then `lightdash upload` round-trips, and an
 * upload the schema refuses is a 400 naming the field that stores nothing.
 */
let app: TestApp;
let projectUuid: string;
let spaceUuid: string;
let viewerKey: string;

const ld = (method: string, path: string, body?: unknown, key = ADMIN_KEY) =>
  request(app, method, path, body, { key });
const project = (path: string) => `/v1/projects/${projectUuid}${path}`;

// biome-ignore lint/suspicious/noTemplateCurlyInString: Lightdash SQL's own placeholder
const TABLE = '${TABLE}';
const salesExplore = {
  name: 'sales',
  label: 'Sales',
  baseTable: 'demo_sales',
  joinedTables: [],
  tables: {
    demo_sales: {
      name: 'demo_sales',
      dimensions: {
        country: { type: 'string', sql: `${TABLE}.country`, label: 'Country' },
        category: { type: 'string', sql: `${TABLE}.category` },
      },
      metrics: { total_quantity: { type: 'sum', sql: `${TABLE}.quantity`, label: 'Total quantity' } },
    },
  },
};

const DIMENSION = 'demo_sales_category';
const TILE = { x: 0, y: 0, w: 12, h: 6 };
const METRIC = 'demo_sales_total_quantity';

/** Chart configs of each type the face saves, with the options Lightdash's editor writes. */
const chartConfigs: Record<string, unknown> = {
  table: { type: 'table', config: { showColumnCalculation: false, hideRowNumbers: true, columns: {} } },
  big_number: { type: 'big_number', config: { selectedField: METRIC, label: 'Quantity' } },
  pie: { type: 'pie', config: { groupFieldIds: [DIMENSION], metricId: METRIC, isDonut: true } },
  funnel: { type: 'funnel', config: { fieldId: METRIC, dataInput: 'row' } },
  custom: { type: 'custom', config: { spec: { mark: 'bar' } } },
  cartesian: {
    type: 'cartesian',
    config: {
      layout: { xField: DIMENSION, yField: [METRIC] },
      eChartsConfig: {
        series: [{ type: 'bar', encode: { xRef: { field: DIMENSION }, yRef: { field: METRIC } } }],
      },
    },
  },
};

const chartBody = (name: string, chartConfig: unknown, extra: Record<string, unknown> = {}) => ({
  name,
  description: `${name}, quantity per category`,
  tableName: 'demo_sales',
  metricQuery: {
    exploreName: 'demo_sales',
    dimensions: [DIMENSION],
    metrics: [METRIC],
    filters: {
      dimensions: {
        id: 'root',
        and: [{ id: 'f1', target: { fieldId: 'demo_sales_country' }, operator: 'notNull', values: [] }],
      },
    },
    sorts: [{ fieldId: METRIC, descending: true }],
    limit: 500,
    tableCalculations: [],
  },
  chartConfig,
  tableConfig: { columnOrder: [DIMENSION, METRIC] },
  spaceUuid,
  ...extra,
});

async function createChart(name: string, chartConfig: unknown, extra?: Record<string, unknown>) {
  const created = await ld('POST', project('/saved'), chartBody(name, chartConfig, extra));
  expect(created.status).toBe(200);
  return created.body.results.uuid as string;
}

async function download(kind: 'charts' | 'dashboards', query = '') {
  const answer = await ld('GET', `${project(`/${kind}/code`)}${query}`);
  expect(answer.status).toBe(200);
  return answer.body.results[kind] as Array<Record<string, unknown>>;
}

let dashboardUuid: string;

beforeAll(async () => {
  app = await startTestApp();
  projectUuid = (await app.request('GET', '/api/projects')).body.items[0].uuid;
  const viewer = await app.request('POST', '/api/users', {
    email: 'viewer@example.com',
    role: 'viewer',
    password: 'longEnoughPassword',
    name: 'Viewer',
  });
  viewerKey = (await app.request('POST', '/api/api-keys', { name: 'viewer', userId: viewer.body.id })).body
    .key;
  expect((await ld('PUT', project('/explores'), [salesExplore])).status).toBe(200);
  spaceUuid = (await ld('POST', project('/spaces'), { name: 'Schema reports' })).body.results.uuid;

  // A chart of the native face has no Lightdash JSON: its download must validate all the same.
  const sources = (await app.request('GET', '/api/data-sources')).body;
  const demo = (sources.items ?? sources).find((source: { name: string }) => source.name === 'demo_sales');
  const native = await app.request('POST', '/api/charts', {
    name: 'Native chart',
    query: {
      source: demo.uuid,
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
    },
    visualization: { type: 'bar' },
  });
  expect(native.status).toBe(201);
  const chartUuids: string[] = [];
  for (const [type, config] of Object.entries(chartConfigs))
    chartUuids.push(await createChart(`Schema ${type}`, config));
  await createChart('Schema pivot', chartConfigs.table, { pivotConfig: { columns: [DIMENSION] } });
  const tabs = [
    { uuid: 'tab-one', name: 'Overview', order: 0 },
    { uuid: 'tab-two', name: 'Details', order: 1 },
  ];
  const tile = (index: number, type: string, properties: Record<string, unknown>, tabUuid = 'tab-one') => ({
    type,
    x: (index % 3) * 12,
    y: Math.floor(index / 3) * 6,
    w: 12,
    h: 6,
    tabUuid,
    properties,
  });
  const created = await ld('POST', project('/dashboards'), {
    name: 'Schema dashboard',
    description: 'every kind of tile',
    spaceUuid,
    tabs,
    tiles: [
      ...chartUuids.map((uuid, index) => tile(index, 'saved_chart', { savedChartUuid: uuid, title: '' })),
      tile(6, 'saved_chart', { savedChartUuid: chartUuids[0], title: 'Titled', hideTitle: true }, 'tab-two'),
      tile(7, 'markdown', { title: 'Notes', content: '# Read me' }, 'tab-two'),
      tile(8, 'loom', { title: 'Walkthrough', url: 'https://www.loom.com/share/abc' }, 'tab-two'),
    ],
    filters: {
      dimensions: [
        {
          id: 'd1',
          target: { fieldId: 'demo_sales_country', tableName: 'demo_sales' },
          operator: 'equals',
          values: ['France'],
          label: 'Country',
        },
      ],
      metrics: [
        {
          id: 'm1',
          target: { fieldId: METRIC, tableName: 'demo_sales' },
          operator: 'greaterThan',
          values: [1],
        },
      ],
      tableCalculations: [],
    },
  });
  expect(created.status).toBe(201);
  dashboardUuid = created.body.results.uuid;
}, 120_000);
afterAll(() => app?.close());

describe('downloads validate against the published schemas', () => {
  it('every chart of the project, each chart type, pivoted or not', async () => {
    const charts = await download('charts');
    expect(charts.length).toBeGreaterThanOrEqual(8);
    expect(charts.map((chart) => chart.slug)).toContain('native-chart');
    const types = new Set(charts.map((chart) => (chart.chartConfig as { type: string }).type));
    expect([...types]).toEqual(expect.arrayContaining(Object.keys(chartConfigs)));
    const problems = charts.flatMap((chart, index) => validateCode('chart', chart, `charts[${index}]`));
    expect(problems).toEqual([]);
  });

  it('every dashboard of the project, with chart, markdown and loom tiles, tabs and filters', async () => {
    const dashboards = await download('dashboards');
    const ours = dashboards.find((dashboard) => dashboard.slug === 'schema-dashboard');
    if (!ours) throw new Error('the dashboard made for this test is not downloaded');
    expect(ours.tabs).toHaveLength(2);
    expect(ours.filters).toMatchObject({ dimensions: [{ label: 'Country' }], metrics: [{ id: 'm1' }] });
    const tileTypes = new Set((ours.tiles as Array<{ type: string }>).map((tile) => tile.type));
    expect([...tileTypes].sort()).toEqual(['loom', 'markdown', 'saved_chart']);
    const problems = dashboards.flatMap((dashboard, index) =>
      validateCode('dashboard', dashboard, `dashboards[${index}]`),
    );
    expect(problems).toEqual([]);
  });
});

describe('uploads are checked against the published schemas', () => {
  it('re-uploading every downloaded chart and dashboard unchanged changes nothing', async () => {
    for (const chart of await download('charts')) {
      const again = await ld('POST', project(`/charts/${chart.slug}/code`), chart);
      expect(again.status).toBe(200);
      expect(again.body.results).toMatchObject({ spaces: [], charts: [{ action: 'no changes' }] });
    }
    for (const dashboard of await download('dashboards')) {
      const again = await ld('POST', project(`/dashboards/${dashboard.slug}/code`), dashboard);
      expect(again.status).toBe(200);
      expect(again.body.results).toMatchObject({ spaces: [], dashboards: [{ action: 'no changes' }] });
    }
    const stored = await ld('GET', `/v1/dashboards/${dashboardUuid}`);
    expect(stored.body.results.tiles).toHaveLength(9);
    expect(stored.body.results.filters.metrics).toMatchObject([{ id: 'm1' }]);
  });

  it('a chart missing a required field or with a wrong type is a 400 naming it, and nothing is stored', async () => {
    const [table] = await download('charts', '?ids=schema-table');
    const fresh: Record<string, unknown> = {
      ...table,
      name: 'Refused chart',
      slug: 'refused-chart',
      spaceSlug: 'refused-space',
    };
    const { tableName: _, ...withoutTableName } = fresh;
    const cases: Array<[unknown, string, string]> = [
      [withoutTableName, 'tableName', 'is required'],
      [
        { ...fresh, metricQuery: { ...(fresh.metricQuery as object), limit: 'many' } },
        'metricQuery.limit',
        'must be number',
      ],
      [{ ...fresh, version: 2 }, 'version', 'must be one of 1'],
      [{ ...fresh, chartConfig: { type: 'radar' } }, 'chartConfig.type', 'must be one of big_number'],
      [{ ...fresh, spaceUuid }, 'spaceUuid', 'is not a known property'],
    ];
    for (const [body, field, problem] of cases) {
      const refused = await ld('POST', project('/charts/refused-chart/code'), body);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ statusCode: 400, name: 'ParameterError' });
      expect(refused.body.error.message).toContain(`${field}: ${problem}`);
      expect(refused.body.error.data[field].message).toContain(problem);
    }
    const after = await download('charts', '?ids=refused-chart');
    expect(after).toEqual([]);
    const spaces = await ld('GET', project('/spaces'));
    expect(spaces.body.results.map((space: { name: string }) => space.name)).not.toContain('Refused Space');
  });

  it('a dashboard with a bad tile, tab or filter is a 400 naming it, and nothing is stored', async () => {
    const [dashboard] = await download('dashboards', `?ids=${dashboardUuid}`);
    const fresh: Record<string, unknown> = structuredClone({
      ...dashboard,
      name: 'Refused dashboard',
      slug: 'refused-dashboard',
    });
    const tiles = fresh.tiles as Array<Record<string, unknown>>;
    const { tabs: _, ...withoutTabs } = fresh;
    const cases: Array<[unknown, string, string]> = [
      [withoutTabs, 'tabs', 'is required'],
      [{ ...fresh, tiles: [{ ...tiles[0], x: 'left' }] }, 'tiles[0].x', 'must be number'],
      [{ ...fresh, tiles: [{ ...tiles[0], w: 40 }] }, 'tiles[0].w', 'must be <= 36'],
      [{ ...fresh, tiles: [{ ...tiles[0], type: 'iframe' }] }, 'tiles[0].type', 'must be one of saved_chart'],
      [
        { ...fresh, tiles: [{ ...tiles[7], properties: { title: 'No content' } }] },
        'tiles[0].properties.content',
        'is required',
      ],
      [{ ...fresh, tabs: [{ uuid: 't', order: 0 }] }, 'tabs[0].name', 'is required'],
      [
        { ...fresh, filters: { dimensions: [{ operator: 'equals' }] } },
        'filters.dimensions[0].target',
        'is required',
      ],
    ];
    for (const [body, field, problem] of cases) {
      const refused = await ld('POST', project('/dashboards/refused-dashboard/code'), body);
      expect(refused.status).toBe(400);
      expect(refused.body.error.name).toBe('ParameterError');
      expect(refused.body.error.message).toContain(`${field}: ${problem}`);
      expect(refused.body.error.data).toHaveProperty([field]);
    }
    expect(await download('dashboards', '?ids=refused-dashboard')).toEqual([]);
  });

  it('takes tabs and tiles named by slug, as newer Lightdash downloads write them', async () => {
    const file = {
      name: 'Slugged tabs',
      slug: 'slugged-tabs',
      spaceSlug: 'schema-reports',
      version: 1,
      tabs: [
        { slug: 'first', name: 'First', order: 0 },
        { slug: 'second', name: 'Second', order: 1, hidden: false },
      ],
      tiles: [
        {
          ...TILE,
          type: 'markdown',
          tileSlug: 'intro',
          tabSlug: 'second',
          properties: { title: 'Hi', content: 'x' },
        },
      ],
      filters: { dimensions: [], metrics: [], tableCalculations: [] },
    };
    expect(validateCode('dashboard', file)).toEqual([]);
    const created = await ld('POST', project('/dashboards/slugged-tabs/code'), file);
    expect(created.status).toBe(200);
    expect(created.body.results.dashboards[0].action).toBe('create');
    const stored = await ld('GET', `/v1/dashboards/${created.body.results.dashboards[0].data.uuid}`);
    const { tabs, tiles } = stored.body.results;
    expect(tabs.map((tab: { name: string }) => tab.name)).toEqual(['First', 'Second']);
    expect(tiles).toEqual([expect.objectContaining({ uuid: 'intro', tabUuid: tabs[1].uuid })]);
    const again = await ld('POST', project('/dashboards/slugged-tabs/code'), file);
    expect(again.body.results.dashboards[0].action).toBe('no changes');
    const [downloaded] = await download('dashboards', '?ids=slugged-tabs');
    expect(validateCode('dashboard', downloaded)).toEqual([]);
    const unknownTab = { ...file, tiles: [{ ...file.tiles[0], tabSlug: 'third' }] };
    const refused = await ld('POST', project('/dashboards/slugged-tabs/code'), unknownTab);
    expect(refused.status).toBe(400);
    expect(refused.body.error.data).toHaveProperty(['tiles[0].tabSlug']);
  });

  it('checks permissions before the document: a viewer is refused with 403 even for a bad file', async () => {
    const refused = await ld('POST', project('/charts/x/code'), { name: 'x' }, viewerKey);
    expect(refused.status).toBe(403);
    const [chart] = await download('charts', '?ids=schema-pie');
    const valid = await ld('POST', project('/charts/schema-pie/code'), chart, viewerKey);
    expect(valid.status).toBe(403);
  });
});
