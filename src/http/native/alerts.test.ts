import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthService } from '../../core/auth/index.ts';
import type { Dashboard } from '../../core/content/index.ts';
import { createDirectoryService } from '../../core/directory/index.ts';
import { createQueryService } from '../../core/query/index.ts';
import { admin, HARNESS_ADMIN_KEY, openScheduleHarness } from '../../core/schedules/test-support.ts';
import { type App, createServer } from '../server.ts';
import { registerAlertRoutes } from './alerts.ts';
import { nativeApi } from './index.ts';

/**
 * `POST /api/alerts/preview`: whether an alert would fire now, with the numbers its runs would
 * compute — over the widget's whole result, the caller's row policies and the filter values
 * applied — though the screen's result is cut by the row cap.
 */

const ROW_CAP = 100;
const COUNTRIES = ['FR', 'DE', 'US', 'ES'];
/** 600 orders, quantities spread from 1 to 101. */
const ORDERS = Array.from(
  { length: 600 },
  (_, i) => [i + 1, COUNTRIES[i % 4], ((i * 37) % 101) + 1] as const,
);
/** The editor's row policy lets them see these countries only. */
const EDITOR_REGIONS = ['FR', 'DE'];

describe('alert preview route', async () => {
  const h = await openScheduleHarness('sqlite');
  const auth = createAuthService({ store: h.store });
  const directory = createDirectoryService(h.store);
  // The server's row cap, low enough that the widget's result on screen is cut.
  const capped = createQueryService({
    resolveModel: (who, ref, options) => h.data.models.resolveModel(who, ref, options),
    sourceModel: (who, ref) => h.data.models.sourceModel(who, ref),
    engineFor: (connectionId) => h.data.registry.engineFor(connectionId),
    maxRows: ROW_CAP,
    timeoutMs: 10_000,
  });
  const { schedules } = h.process({ query: capped });
  let app: App;
  let editorToken: string;
  let viewerToken: string;
  let dashboard: Dashboard;
  let sourceId: string;

  beforeAll(async () => {
    const adminKey = HARNESS_ADMIN_KEY;
    const boss = await auth.authenticate(adminKey);
    const editor = await directory.createUser(boss, {
      email: 'e@example.com',
      password: 'editor-pass',
      role: 'editor',
    });
    await directory.createUser(boss, { email: 'v@example.com', password: 'viewer-pass', role: 'viewer' });
    await directory.defineAttribute(boss, { key: 'region', type: 'string' });
    await directory.setUserAttributes(boss, editor.id, { region: EDITOR_REGIONS });
    editorToken = (await auth.login('e@example.com', 'editor-pass')).token;
    viewerToken = (await auth.login('v@example.com', 'viewer-pass')).token;

    const source = await h.data.sources.create(admin, {
      type: 'storage',
      name: 'orders',
      columns: [
        { name: 'order_id', type: 'integer' },
        { name: 'country', type: 'string' },
        { name: 'quantity', type: 'integer' },
      ],
      policies: [{ field: 'country', attribute: 'region' }],
    });
    sourceId = source.uuid;
    await h.data.ingestor.apply(source, {
      mode: 'replace',
      rows: ORDERS.map((row) => [...row]),
      columns: ['order_id', 'country', 'quantity'],
    });
    dashboard = await h.content.dashboards.create(admin, {
      name: 'Orders',
      filters: [{ id: 'country', field: 'country', label: 'Country', type: 'values', default: ['FR'] }],
      widgets: [
        {
          id: 'per-order',
          title: 'Units per order',
          query: {
            source: source.uuid,
            dimensions: ['order_id'],
            metrics: [{ field: 'quantity', aggregation: 'sum' }],
            sorts: [{ field: 'order_id' }],
          },
          visualization: { type: 'table' },
        },
      ],
    });

    app = createServer({ logLevel: 'silent' });
    await nativeApi.register(app, {
      auth: { auth },
      routes(api) {
        registerAlertRoutes(api, { schedules });
      },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  const preview = (token: string, payload: unknown) =>
    app.inject({
      method: 'POST',
      url: '/api/alerts/preview',
      payload: payload as object,
      headers: { authorization: `Bearer ${token}` },
    });
  const target = () => ({ widget: { dashboard: dashboard.id, widget: 'per-order' } });

  it('evaluates the whole result, with row policies and filter values, though the screen is cut', async () => {
    // The dialog's filter values: FR, DE and US; the editor's policy keeps FR and DE of them.
    const filterValues = { country: ['FR', 'DE', 'US'] };
    const seen = ORDERS.filter(([, country]) => EDITOR_REGIONS.includes(country));
    const trueSum = seen.reduce((sum, [, , quantity]) => sum + quantity, 0);
    const biggest = Math.max(...seen.map(([, , quantity]) => quantity));

    // What the screen shows: the first ROW_CAP orders only.
    const editor = await auth.authenticate(editorToken);
    const widget = dashboard.widgets[0];
    const screen = await capped.runSaved(editor, {
      ...(widget.query as object),
      filters: { field: 'country', operator: 'in', values: filterValues.country },
    });
    expect(screen.truncated).toBe(true);
    expect(screen.rows).toHaveLength(ROW_CAP);
    const screenSum = screen.rows.reduce((sum, row) => sum + Number(row[1]), 0);
    expect(screenSum).toBeLessThan(trueSum);

    const response = await preview(editorToken, {
      target: target(),
      filterValues,
      conditions: [
        { field: 'sum_quantity', aggregation: 'sum', operator: '>', values: [screenSum] },
        { field: 'order_id', aggregation: 'count', operator: '=', values: [seen.length] },
        { field: 'sum_quantity', aggregation: 'max', operator: 'less_than', values: [biggest] },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().evaluation).toEqual({
      triggered: false,
      rows: seen.length,
      conditions: [
        {
          field: 'sum_quantity',
          aggregation: 'sum',
          operator: '>',
          values: [screenSum],
          value: trueSum,
          holds: true,
        },
        {
          field: 'order_id',
          aggregation: 'count',
          operator: '=',
          values: [seen.length],
          value: seen.length,
          holds: true,
        },
        {
          field: 'sum_quantity',
          aggregation: 'max',
          operator: '<',
          values: [biggest],
          value: biggest,
          holds: false,
        },
      ],
    });

    // Without filter values, the dashboard's default (FR) applies, as it will when the alert runs.
    const defaults = await preview(editorToken, {
      target: target(),
      conditions: [{ field: 'sum_quantity', aggregation: 'sum', operator: '>=', values: [1] }],
    });
    const france = ORDERS.filter(([, country]) => country === 'FR');
    expect(defaults.json().evaluation).toMatchObject({
      triggered: true,
      rows: france.length,
      conditions: [{ value: france.reduce((sum, [, , quantity]) => sum + quantity, 0), holds: true }],
    });
    // Nothing was saved.
    const list = await app.inject({
      method: 'GET',
      url: '/api/alerts',
      headers: { authorization: `Bearer ${editorToken}` },
    });
    expect(list.json().items).toEqual([]);
  });

  it('answers 400 naming the field, and 403 to a viewer, who may not create alerts', async () => {
    const condition = { field: 'sum_quantity', aggregation: 'sum', operator: '>', values: [1] };
    const refused = async (payload: unknown) => {
      const response = await preview(editorToken, payload);
      expect(response.statusCode).toBe(400);
      return response.json().error;
    };
    expect(
      await refused({ target: target(), conditions: [condition, { ...condition, field: 'colour' }] }),
    ).toMatchObject({
      field: 'conditions[1].field',
      message: expect.stringContaining('no result column "colour"'),
    });
    expect(
      (
        await refused({
          target: { query: { source: sourceId, dimensions: ['country'] } },
          conditions: [{ ...condition, field: 'country', aggregation: 'avg' }],
        })
      ).field,
    ).toBe('conditions[0].aggregation');
    expect((await refused({ target: target() })).field).toBe('conditions');
    expect((await refused({ target: target(), conditions: [condition], cron: '0 * * * *' })).field).toBe(
      'cron',
    );
    expect(
      (
        await refused({
          target: { widget: { dashboard: dashboard.id, widget: 'nope' } },
          conditions: [condition],
        })
      ).field,
    ).toBe('target.widget.widget');
    expect(
      (await refused({ target: target(), filterValues: { nope: ['FR'] }, conditions: [condition] })).field,
    ).toMatch(/^filterValues\.nope/);
    expect((await refused({ target: { dashboard: dashboard.id }, conditions: [condition] })).field).toBe(
      'target.dashboard',
    );

    const viewer = await preview(viewerToken, { target: target(), conditions: [condition] });
    expect(viewer.statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/api/alerts/preview', payload: {} })).statusCode).toBe(
      401,
    );
  });
});
