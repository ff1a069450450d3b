import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRosettaError } from '../errors.ts';
import { evaluateConditions } from './conditions.ts';
import { editor, openScheduleHarness } from './test-support.ts';

describe('alert conditions', () => {
  const result = {
    columns: [
      { name: 'day', type: 'date' as const },
      { name: 'amount', type: 'number' as const },
    ],
    rows: [
      ['2025-01-01', 10],
      ['2025-01-02', null],
      ['2025-01-03', 30],
    ],
  };
  const check = (aggregation: string, operator: string, values: Array<string | number>, field = 'amount') =>
    evaluateConditions(result, [{ field, aggregation, operator, values } as never]).conditions[0];

  it('aggregates a column and compares', () => {
    expect(check('sum', 'equals', [40])).toMatchObject({ value: 40, holds: true });
    expect(check('avg', 'equals', [20])).toMatchObject({ value: 20, holds: true });
    expect(check('count', 'less_than', [3])).toMatchObject({ value: 2, holds: true });
    expect(check('min', 'greater_or_equal', ['10'])).toMatchObject({ value: 10, holds: true });
    expect(check('max', 'between', [25, 30])).toMatchObject({ value: 30, holds: true });
    expect(check('last', 'not_equals', [30])).toMatchObject({ value: 30, holds: false });
    // A NULL value satisfies nothing, not even not_equals.
    expect(check('first', 'equals', ['2025-01-01'], 'day')).toMatchObject({ holds: true });
    expect(check('last', 'greater_than', ['2025-01-02'], 'day')).toMatchObject({ holds: true });
    const empty = evaluateConditions({ columns: result.columns, rows: [] }, [
      { field: 'amount', aggregation: 'sum', operator: 'not_equals', values: [1] },
    ]);
    expect(empty).toMatchObject({ triggered: false, rows: 0, conditions: [{ value: null, holds: false }] });
    expect(() => check('sum', 'equals', [1], 'price')).toThrow(
      /no result column "price" \(columns: day, amount\)/,
    );
  });
});

describe('data alerts', async () => {
  const h = await openScheduleHarness('sqlite');
  const calls: Array<Record<string, unknown>> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      calls.push(JSON.parse(body));
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alert`;
  // The receiver listens on loopback, which deliveries may reach only when allowed.
  const { jobs, schedules } = h.process({ outboundAllow: ['127.0.0.1'] });
  beforeAll(() => jobs.start());
  afterAll(async () => {
    await h.close();
    server.close();
  });

  const run = async (id: number) => {
    const job = await schedules.runNow(editor, 'alert', id);
    return jobs.wait(job.id, { timeoutMs: 10_000 });
  };
  const unitsAlert = (threshold: number) => ({
    name: `French units above ${threshold}`,
    cron: '0 * * * *',
    target: { widget: { dashboard: h.dashboard.id, widget: 'units' } },
    filters: [{ field: 'country', operator: '=', values: ['FR'] }],
    destination: { type: 'webhook', url },
    conditions: [
      { field: 'sum_quantity', aggregation: 'first', operator: 'greater_than', values: [threshold] },
    ],
  });

  it('delivers when the conditions hold, with the filter preset applied, and records it', async () => {
    const alert = await schedules.create(editor, 'alert', unitsAlert(5));
    expect(alert).toMatchObject({ kind: 'alert', format: 'csv' });
    expect((await run(alert.id)).status).toBe('success');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      event: 'alert.triggered',
      schedule: { id: alert.id, kind: 'alert' },
      evaluation: {
        triggered: true,
        rows: 1,
        conditions: [{ field: 'sum_quantity', value: 8, holds: true }],
      },
    });
    const [record] = await schedules.history(editor, 'alert', alert.id);
    expect(record).toMatchObject({ status: 'success', triggered: true });
    expect(record.result).toMatchObject({
      evaluation: { conditions: [{ value: 8 }] },
      delivery: { channel: 'webhook' },
    });
  });

  it('sends nothing when a condition does not hold, and still records the evaluation', async () => {
    const alert = await schedules.create(editor, 'alert', unitsAlert(100));
    const job = await run(alert.id);
    expect(job).toMatchObject({ status: 'success', result: { triggered: false } });
    expect(calls).toHaveLength(1);
    const [record] = await schedules.history(editor, 'alert', alert.id);
    expect(record).toMatchObject({
      status: 'success',
      triggered: false,
      result: {
        triggered: false,
        conditions: [{ value: 8, operator: 'greater_than', values: [100], holds: false }],
      },
    });
  });

  it('watches a native query with several conditions', async () => {
    const source = (h.dashboard.widgets[0].query as { source: string }).source;
    const byCountry = {
      source,
      dimensions: ['country'],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
    };
    const alert = await schedules.create(editor, 'alert', {
      name: 'Three countries, top one 10 to 12',
      cron: '0 6 * * *',
      timezone: 'America/New_York',
      target: { query: byCountry },
      destination: { type: 'slack', url },
      conditions: [
        { field: 'country', aggregation: 'count', operator: 'equals', values: [3] },
        { field: 'sum_quantity', aggregation: 'max', operator: 'between', values: [10, 12] },
      ],
    });
    expect((await run(alert.id)).status).toBe('success');
    expect(String(calls[1].text)).toMatch(
      /^\*Alert "Three countries, top one 10 to 12" triggered: count\(country\) = 3/,
    );

    await schedules.update(editor, 'alert', alert.id, {
      conditions: [{ field: 'revenue', aggregation: 'sum', operator: 'less_than', values: [1] }],
    });
    const failed = await run(alert.id);
    expect(failed.status).toBe('failure');
    expect(failed.error).toMatch(/no result column "revenue"/);
    expect((await schedules.history(editor, 'alert', alert.id))[0]).toMatchObject({ status: 'failure' });
  });

  it('names bad alert input', async () => {
    const fieldOf = (body: unknown) =>
      schedules.create(editor, 'alert', body).then(
        () => 'created',
        (e) => (isRosettaError(e) ? `${e.code} ${e.field}` : String(e)),
      );
    const good = unitsAlert(1);
    expect(await fieldOf({ ...good, conditions: [] })).toBe('ERR_VALIDATION conditions');
    expect(await fieldOf({ ...good, conditions: [{ ...good.conditions[0], operator: 'above' }] })).toBe(
      'ERR_VALIDATION conditions[0].operator',
    );
    expect(await fieldOf({ ...good, conditions: [{ ...good.conditions[0], operator: 'between' }] })).toBe(
      'ERR_VALIDATION conditions[0].values',
    );
    expect(await fieldOf({ ...good, target: { dashboard: h.dashboard.id } })).toBe(
      'ERR_VALIDATION target.dashboard',
    );
    expect(await fieldOf({ ...good, target: { query: { source: 'nope', colour: 1 } } })).toBe(
      'ERR_VALIDATION target.query.colour',
    );
    expect(
      await fieldOf({ ...good, target: { widget: { dashboard: h.dashboard.id, widget: 'gone' } } }),
    ).toBe('ERR_VALIDATION target.widget.widget');
  });
});
