import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonScalar, ResultColumn } from '../../engines/types.ts';
import { isRosettaError } from '../errors.ts';
import { describeConditions, evaluateConditions } from './conditions.ts';
import { admin, editor, openScheduleHarness } from './test-support.ts';

describe('alert conditions', () => {
  const amount = { name: 'amount', type: 'number' as const, nativeType: 'DECIMAL(18,2)' };
  const day = { name: 'day', type: 'date' as const };
  /** One condition on a value the warehouse reduced (query/reduce.ts computes it; see reduce.test.ts). */
  const check = (value: JsonScalar, operator: string, values: JsonScalar[], column: ResultColumn = amount) =>
    evaluateConditions({ rows: 3, values: [{ value, column }] }, [
      { field: column.name, aggregation: 'sum', operator, values } as never,
    ]).conditions[0];

  it('compares a reduced value with the condition', () => {
    expect(check(40, '=', [40])).toMatchObject({ value: 40, holds: true });
    expect(check(2, '<', [3])).toMatchObject({ holds: true });
    expect(check(10, '>=', ['10'])).toMatchObject({ holds: true });
    expect(check(30, 'between', [25, 30])).toMatchObject({ holds: true });
    expect(check(30, '!=', [30])).toMatchObject({ holds: false });
    expect(check(40, 'in', [1, 40])).toMatchObject({ holds: true });
    expect(check(40, 'not in', [1, 40])).toMatchObject({ holds: false });
    expect(check(40, '=', [1, 2])).toMatchObject({ holds: false });
    expect(check(40, '!=', [1, 2])).toMatchObject({ holds: true });
    expect(check(40, '>', ['many'])).toMatchObject({ holds: false });
    // Dates compare as text, which orders ISO dates.
    expect(check('2025-01-01', '=', ['2025-01-01'], day)).toMatchObject({ holds: true });
    expect(check('2025-01-03', '>', ['2025-01-02'], day)).toMatchObject({ holds: true });
    // A NULL value (an empty result) satisfies nothing, not even !=.
    const empty = evaluateConditions({ rows: 0, values: [{ value: null, column: amount }] }, [
      { field: 'amount', aggregation: 'sum', operator: '!=', values: [1] },
    ]);
    expect(empty).toMatchObject({ triggered: false, rows: 0, conditions: [{ value: null, holds: false }] });
  });

  it('compares floats as people read them, keeps exact decimals exact, and big integers numeric', () => {
    const double = { name: 'sum_price', type: 'number' as const, nativeType: 'DOUBLE' };
    const decimal = { name: 'sum_amount', type: 'number' as const, nativeType: 'DECIMAL(38,3)' };
    const huge = { name: 'sum_units', type: 'integer' as const, nativeType: 'HUGEINT' };
    const evaluation = evaluateConditions(
      {
        rows: 2,
        values: [
          { value: 31443.39000000001, column: double },
          { value: 31443.39000000001, column: double },
          { value: 0.30000000000000004, column: double },
          { value: 1234567890123.456, column: decimal },
          { value: '12345678901234567890', column: huge },
        ],
      },
      [
        { field: 'sum_price', aggregation: 'first', operator: '>', values: [31443.39] },
        { field: 'sum_price', aggregation: 'first', operator: '=', values: ['31443.39'] },
        { field: 'sum_price', aggregation: 'sum', operator: '=', values: [0.3] },
        { field: 'sum_amount', aggregation: 'sum', operator: '=', values: [1234567890123.456] },
        { field: 'sum_units', aggregation: 'sum', operator: '>', values: [1e19] },
      ],
    );
    expect(evaluation.conditions.map((c) => [c.value, c.holds])).toEqual([
      [31443.39, false],
      [31443.39, true],
      [0.3, true],
      [1234567890123.456, true],
      [Number('12345678901234567890'), true],
    ]);
  });

  it('describes conditions with column labels and numbers for people', () => {
    const condition = (
      field: string,
      aggregation: string,
      operator: string,
      values: unknown[],
      value: unknown,
    ) => ({ field, aggregation, operator, values, value, holds: true }) as never;
    const text = describeConditions({
      triggered: true,
      rows: 3,
      conditions: [
        condition('sum_price', 'first', '>', [1000], 31443.39),
        condition('order_id', 'max', '>=', [1000000], 1234567),
        condition('count_distinct_order_id', 'last', 'between', ['1000', 20000], 12345),
        condition('sum_quantity', 'avg', '<=', [0.5], 0.004),
        condition('date_month', 'first', '=', ['2025-01-01'], '2025-01-01T00:00:00.000Z'),
        condition('country', 'count', '!=', [0], 3),
      ],
    });
    expect(text.split('; ')).toEqual([
      'Sum of price is 31,443.39 (above 1,000)',
      'Highest order id is 1234567 (at least 1000000)',
      'Distinct order id (last row) is 12,345 (between 1,000 and 20,000)',
      'Average sum of quantity is 0.004 (at most 0.5)',
      'Date (month) is 2025-01-01 (equal to 2025-01-01)',
      'Count of country is 3 (not equal to 0)',
    ]);
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
    // The old word is read as the filters' operator, which is what is stored and answered.
    expect(alert).toMatchObject({ kind: 'alert', format: 'csv', conditions: [{ operator: '>' }] });
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
    const [record] = (await schedules.history(editor, 'alert', alert.id)).items;
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
    const [record] = (await schedules.history(editor, 'alert', alert.id)).items;
    expect(record).toMatchObject({
      status: 'success',
      triggered: false,
      result: {
        triggered: false,
        conditions: [{ value: 8, operator: '>', values: [100], holds: false }],
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
      /^\*Alert "Three countries, top one 10 to 12" triggered: Count of country is 3 \(equal to 3\); Highest sum of quantity is 11 \(between 10 and 12\)\*/,
    );

    await schedules.update(editor, 'alert', alert.id, {
      conditions: [{ field: 'revenue', aggregation: 'sum', operator: 'less_than', values: [1] }],
    });
    const failed = await run(alert.id);
    expect(failed.status).toBe('failure');
    expect(failed.error).toMatch(/no result column "revenue"/);
    expect((await schedules.history(editor, 'alert', alert.id)).items[0]).toMatchObject({
      status: 'failure',
    });
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
    expect(await fieldOf({ ...good, conditions: [{ ...good.conditions[0], operator: 'contains' }] })).toBe(
      'ERR_VALIDATION conditions[0].operator',
    );
    expect(
      await fieldOf({ ...good, conditions: [{ ...good.conditions[0], operator: 'in', values: [] }] }),
    ).toBe('ERR_VALIDATION conditions[0].values');
    expect(await fieldOf({ ...good, filterValues: { country: ['FR'] } })).toBe(
      'ERR_VALIDATION filterValues.country',
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

  it('emails a DOUBLE alert value as people read it, with the column label', async () => {
    const prices = await h.data.sources.create(admin, {
      type: 'storage',
      name: 'prices',
      columns: [{ name: 'price', type: 'number' }],
    });
    // Whole cents whose DOUBLE sum is 31443.39000000001 (the true total is 31443.39).
    const cents = Array.from({ length: 62 }, (_, i) => (i === 61 ? 1_047_220 : ((i + 1) * 1109) % 100_000));
    expect(cents.reduce((a, b) => a + b, 0)).toBe(3_144_339);
    await h.data.ingestor.apply(prices, {
      mode: 'replace',
      rows: cents.map((c) => [c / 100]),
      columns: ['price'],
    });
    const body = { source: prices.uuid, metrics: [{ field: 'price', aggregation: 'sum' }] };
    const raw = await h.query.run(admin, body, { noCache: true });
    expect(raw.columns[0]).toMatchObject({ name: 'sum_price', nativeType: 'DOUBLE' });
    expect(raw.rows[0][0]).toBe(31443.39000000001);

    const alert = await schedules.create(admin, 'alert', {
      name: 'Revenue above 1000',
      cron: '0 * * * *',
      target: { query: body },
      destination: { type: 'email', recipients: ['boss@example.test'] },
      conditions: [
        { field: 'sum_price', aggregation: 'first', operator: 'greater_than', values: [1000] },
        { field: 'sum_price', aggregation: 'first', operator: 'less_or_equal', values: [31443.39] },
      ],
    });
    const job = await schedules.runNow(admin, 'alert', alert.id);
    expect((await jobs.wait(job.id, { timeoutMs: 10_000 })).status).toBe('success');
    const [message] = (await schedules.outbox(admin)).items;
    expect(message.text).toContain(
      'Alert "Revenue above 1000" triggered: Sum of price is 31,443.39 (above 1,000); ' +
        'Sum of price is 31,443.39 (at most 31,443.39)',
    );
    expect(message.text).not.toMatch(/sum_price|31443\.39000/);
  });

  it('reduces the whole result in SQL: more rows than the row cap, the true sum, the last row', async () => {
    const lines = await h.data.sources.create(admin, {
      type: 'storage',
      name: 'lines',
      columns: [
        { name: 'n', type: 'integer' },
        { name: 'amount', type: 'integer' },
      ],
    });
    const count = 12_000; // the harness caps a query at 10 000 rows
    await h.data.ingestor.apply(lines, {
      mode: 'replace',
      rows: Array.from({ length: count }, (_, i) => [i + 1, i + 1]),
      columns: ['n', 'amount'],
    });
    const body = { source: lines.uuid, aggregate: false, dimensions: ['n', 'amount'], sorts: ['n'] };
    const page = await h.query.run(admin, body, { noCache: true });
    expect(page.truncated).toBe(true);
    const cut = page.rows.reduce((sum, row) => sum + Number(row[1]), 0);
    const total = (count * (count + 1)) / 2;
    const alert = await schedules.create(admin, 'alert', {
      name: 'Every line',
      cron: '0 * * * *',
      target: { query: body },
      destination: { type: 'webhook', url },
      conditions: [
        // Above what the cut page adds up to, below the true total.
        { field: 'amount', aggregation: 'sum', operator: '>', values: [(cut + total) / 2] },
        { field: 'n', aggregation: 'count', operator: '=', values: [count] },
        { field: 'n', aggregation: 'last', operator: '=', values: [count] },
      ],
    });
    const job = await schedules.runNow(admin, 'alert', alert.id);
    const done = await jobs.wait(job.id, { timeoutMs: 10_000 });
    expect(done.status, done.error ?? '').toBe('success');
    expect(done.result).toMatchObject({
      triggered: true,
      evaluation: {
        rows: count,
        conditions: [
          { value: total, holds: true },
          { value: count, holds: true },
          { value: count, holds: true },
        ],
      },
    });
  });
});
