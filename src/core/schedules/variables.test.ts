import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosettaError } from '../errors.ts';
import { admin, editor, openScheduleHarness } from './test-support.ts';

/** Schedules and alerts that store values of their dashboard's variables. */
describe('schedule variables', async () => {
  const h = await openScheduleHarness('sqlite');
  const source = (h.dashboard.widgets[0].query as { source: string }).source;
  // A dashboard whose widget filters by a variable; its default is FR (3 + 5 units).
  const dashboard = await h.content.dashboards.create(admin, {
    name: 'Units of one country',
    variables: [{ name: 'country', type: 'string', default: 'FR' }],
    widgets: [
      {
        id: 'units',
        title: 'Units in {{country}}',
        query: {
          source,
          metrics: [{ field: 'quantity', aggregation: 'sum' }],
          filters: { field: 'country', operator: 'in', values: [{ variable: 'country' }] },
        },
        visualization: { type: 'kpi' },
      },
    ],
  });
  // The alerts' webhook is a loopback address, refused when saved unless allowed.
  const { jobs, schedules } = h.process({ outboundAllow: ['127.0.0.1'] });
  beforeAll(() => jobs.start());
  afterAll(() => h.close());

  const alert = (variables?: unknown) => ({
    name: 'Units of a country',
    cron: '0 * * * *',
    target: { widget: { dashboard: dashboard.id, widget: 'units' } },
    variables,
    destination: { type: 'webhook', url: 'http://127.0.0.1:9/unused' },
    conditions: [{ field: 'sum_quantity', aggregation: 'first', operator: 'equals', values: [-1] }],
  });
  const evaluatedUnits = async (id: number) => {
    const job = await jobs.wait((await schedules.runNow(editor, 'alert', id)).id, { timeoutMs: 10_000 });
    expect(job.status, job.error ?? '').toBe('success');
    return (job.result as { evaluation: { conditions: Array<{ value: unknown }> } }).evaluation.conditions[0]
      .value;
  };

  it("evaluates an alert's widget with its variables over the dashboard's defaults", async () => {
    const withDefaults = await schedules.create(editor, 'alert', alert());
    expect(withDefaults.variables).toEqual({});
    expect(await evaluatedUnits(withDefaults.id)).toBe(8);

    const germany = await schedules.create(editor, 'alert', alert({ country: 'DE' }));
    expect((await schedules.get(editor, 'alert', germany.id)).variables).toEqual({ country: 'DE' });
    expect(await evaluatedUnits(germany.id)).toBe(7);

    const updated = await schedules.update(editor, 'alert', germany.id, {
      variables: { country: ['DE', 'US'] },
    });
    expect(updated.variables).toEqual({ country: ['DE', 'US'] });
    expect(await evaluatedUnits(germany.id)).toBe(18);
  });

  it('names unknown variables, wrong types and variables on a query target', async () => {
    const fieldOf = (kind: 'alert' | 'delivery', body: unknown) =>
      schedules.create(editor, kind, body).then(
        () => 'created',
        (e) => (isRosettaError(e) ? `${e.code} ${e.field}` : String(e)),
      );
    expect(await fieldOf('alert', alert({ region: 'EU' }))).toBe('ERR_VALIDATION variables.region');
    expect(await fieldOf('alert', alert({ country: 3 }))).toBe('ERR_VALIDATION variables.country');
    expect(await fieldOf('alert', alert(['DE']))).toBe('ERR_VALIDATION variables');
    expect(
      await fieldOf('alert', {
        ...alert({ country: 'DE' }),
        target: { query: { source, metrics: [{ field: 'quantity', aggregation: 'sum' }] } },
      }),
    ).toBe('ERR_VALIDATION variables');
    const delivery = {
      name: 'Daily units',
      cron: '0 8 * * *',
      target: { dashboard: h.dashboard.id },
      format: 'csv',
      variables: { country: 'DE' },
      destination: { type: 'webhook', url: 'http://127.0.0.1:9/unused' },
    };
    // The demo harness dashboard has no variables at all.
    expect(await fieldOf('delivery', delivery)).toBe('ERR_VALIDATION variables.country');

    // Moving a schedule to a dashboard without its variables is refused the same way.
    const kept = await schedules.create(editor, 'delivery', {
      ...delivery,
      target: { dashboard: dashboard.id },
    });
    const moved = await schedules
      .update(editor, 'delivery', kept.id, { target: { dashboard: h.dashboard.id } })
      .catch((e) => e);
    expect(isRosettaError(moved) && moved.field).toBe('variables.country');
    expect((await schedules.get(editor, 'delivery', kept.id)).target).toEqual({ dashboard: dashboard.id });
  });
});
