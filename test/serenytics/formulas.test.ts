import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { seren } from './support.ts';

let app: TestApp;
let uuid: string;
beforeAll(async () => {
  app = await startTestApp();
  const created = await seren(app, 'POST', '/api/data_source', {
    name: 'formula_sales',
    type: 'Storage',
    jsonContent: {},
  });
  uuid = created.body.uuid;
  const reload = await seren(app, 'POST', `/api/data_source/${uuid}/reload`, [
    { Country: 'FR', Sales: 10, Cost: 4, Quantity: 2 },
    { Country: 'FR', Sales: 20, Cost: 6, Quantity: 3 },
    { Country: 'US', Sales: 5, Cost: 5, Quantity: 4 },
  ]);
  expect(reload.body).toEqual({ status: 'ok' });
}, 120_000);
afterAll(() => app?.close());

const query = (stage: unknown) =>
  seren(app, 'POST', `/api/formatted_data/${uuid}`, {
    order: 'row_by_row',
    data_processing_pipeline: [stage],
  });

describe('formulas by measureUuid', () => {
  it('stores jsonContent.measures on PUT and renders them back', async () => {
    const config = (await seren(app, 'GET', `/api/data_source/${uuid}`)).body;
    config.jsonContent.measures = {
      '697c7a7d0ffd5254': { name: 'Double sales', formula: '2 * [sales]' },
      a1b2: { name: 'Margin rate', formula: '(sum([Sales]) - sum([cost])) / sum([sales])' },
      c3d4: { name: 'Rows', formula: 'count(*)' },
    };
    const saved = await seren(app, 'PUT', `/api/data_source/${uuid}`, config);
    expect(saved.status).toBe(200);
    expect(saved.body.jsonContent.measures['697c7a7d0ffd5254']).toMatchObject({
      name: 'Double sales',
      formula: '2 * [sales]',
    });
    const again = await seren(app, 'GET', `/api/data_source/${uuid}`);
    expect(Object.keys(again.body.jsonContent.measures).sort()).toEqual(['697c7a7d0ffd5254', 'a1b2', 'c3d4']);
  });

  it('runs the doc example: a formula in select, grouped by the plain columns', async () => {
    const answer = await query({
      select: [{ name: 'Country' }, { name: 'MyFormula', measureUuid: '697c7a7d0ffd5254' }],
      order_by: ['Country'],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('ok');
    expect(answer.body.columns_titles.map((c: { name: string }) => c.name)).toEqual(['Country', 'MyFormula']);
    expect(answer.body.data).toEqual([
      ['FR', 60],
      ['US', 10],
    ]);
  });

  it('computes aggregate formulas, counts and orders by a formula', async () => {
    const answer = await query({
      group_by: ['country'],
      select: [
        { name: 'country' },
        { name: 'rate', measureUuid: 'a1b2' },
        { name: 'n', measureUuid: 'c3d4' },
        { name: 'sales', agg_function: 'sum' },
      ],
      order_by: [{ name: 'rate', measureUuid: 'a1b2', direction: 'desc' }],
    });
    expect(answer.body.status).toBe('ok');
    expect(answer.body.data).toHaveLength(2);
    const [first, second] = answer.body.data;
    expect(first[0]).toBe('FR');
    expect(first[1]).toBeCloseTo(2 / 3);
    expect(first.slice(2)).toEqual([2, 30]);
    expect(second[0]).toBe('US');
    expect(second[1]).toBeCloseTo(0);
    expect(second.slice(2)).toEqual([1, 5]);
  });

  it('answers an unknown uuid or a missing name with the error envelope (HTTP 200)', async () => {
    const unknown = await query({ select: [{ name: 'x', measureUuid: 'nope' }] });
    expect(unknown.status).toBe(200);
    expect(unknown.body.status).toBe('error');
    expect(JSON.stringify(unknown.body.errors)).toContain('unknown formula');
    const nameless = await query({ select: [{ measureUuid: 'a1b2' }] });
    expect(nameless.status).toBe(200);
    expect(nameless.body.status).toBe('error');
  });

  it('keeps formulas when a config without measures is saved, and replaces them when given', async () => {
    await seren(app, 'PUT', `/api/data_source/${uuid}`, { name: 'formula_sales' });
    expect(
      Object.keys((await seren(app, 'GET', `/api/data_source/${uuid}`)).body.jsonContent.measures),
    ).toHaveLength(3);
    const bad = await seren(app, 'PUT', `/api/data_source/${uuid}`, {
      jsonContent: { measures: { z: { name: 'bad', formula: 'median([sales])' } } },
    });
    expect(bad.status).toBe(200);
    const broken = await query({ select: [{ name: 'm', measureUuid: 'z' }] });
    expect(broken.body.status).toBe('error');
    expect(JSON.stringify(broken.body.errors)).toContain('unsupported formula');
  });
});

describe('row-level formulas (no aggregate function) are calculated fields', () => {
  beforeAll(async () => {
    const saved = await seren(app, 'PUT', `/api/data_source/${uuid}`, {
      jsonContent: {
        measures: {
          revenue: { name: 'Revenue', formula: '[sales] * [Quantity]' },
          margin: { name: 'Margin', formula: '[sales] - [cost]' },
          rate: { name: 'Margin rate', formula: '(sum([sales]) - sum([cost])) / sum([sales])' },
        },
      },
    });
    expect(saved.status).toBe(200);
  });

  it('sums the row products, not the product of the sums', async () => {
    const answer = await query({
      select: [{ name: 'Country' }, { name: 'Revenue', measureUuid: 'revenue' }],
      order_by: [{ name: 'Revenue', measureUuid: 'revenue', direction: 'desc' }],
    });
    // FR: 10 × 2 + 20 × 3 = 80 (the product of sums would be 30 × 5 = 150); US: 5 × 4 = 20.
    expect(answer.body).toMatchObject({
      status: 'ok',
      data: [
        ['FR', 80],
        ['US', 20],
      ],
    });
  });

  it('aggregates a row-level formula by the item agg_function', async () => {
    const answer = await query({
      group_by: ['country'],
      select: [
        { name: 'country' },
        { name: 'avg revenue', measureUuid: 'revenue', agg_function: 'avg' },
        { name: 'max revenue', measureUuid: 'revenue', agg_function: 'max' },
      ],
      order_by: ['country'],
    });
    expect(answer.body.columns_titles.map((c: { name: string }) => c.name)).toEqual([
      'country',
      'avg revenue',
      'max revenue',
    ]);
    expect(answer.body.data).toEqual([
      ['FR', 40, 60],
      ['US', 20, 20],
    ]);
  });

  it('groups by a formula', async () => {
    const answer = await query({
      group_by: [{ name: 'Margin', measureUuid: 'margin' }],
      select: [
        { name: 'Margin', measureUuid: 'margin' },
        { name: 'sales', agg_function: 'sum' },
      ],
      order_by: [{ name: 'Margin', measureUuid: 'margin', direction: 'desc' }],
    });
    expect(answer.body).toMatchObject({
      status: 'ok',
      data: [
        [14, 20],
        [6, 10],
        [0, 5],
      ],
    });
  });

  it('filters rows on a row-level formula (WHERE) and groups on an aggregate one (HAVING)', async () => {
    const rows = await query({
      group_by: ['country'],
      select: [{ name: 'country' }, { name: 'sales', agg_function: 'sum' }],
      where: [{ name: 'Margin', measureUuid: 'margin', op: '>', value: '6' }],
    });
    expect(rows.body).toMatchObject({ status: 'ok', data: [['FR', 20]] });
    const groups = await query({
      group_by: ['country'],
      select: [{ name: 'country' }, { name: 'sales', agg_function: 'sum' }],
      where: [{ name: 'Margin rate', measureUuid: 'rate', op: '>', value: 0.5 }],
    });
    expect(groups.body).toMatchObject({ status: 'ok', data: [['FR', 30]] });
  });

  it('refuses to group by an aggregate formula with the error envelope (HTTP 200)', async () => {
    const answer = await query({
      group_by: [{ name: 'Margin rate', measureUuid: 'rate' }],
      select: [{ name: 'sales', agg_function: 'sum' }],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('error');
    expect(answer.body.errors[0]).toContain(
      'group_by[0].measureUuid: formula "Margin rate" aggregates rows and cannot be grouped by',
    );
  });

  it('names the unknown column of a formula and a bad agg_function', async () => {
    await seren(app, 'PUT', `/api/data_source/${uuid}`, {
      jsonContent: {
        measures: {
          typo: { name: 'Typo', formula: '[sales] * [qty]' },
          revenue: { name: 'Revenue', formula: '[sales] * [Quantity]' },
        },
      },
    });
    const median = await query({ select: [{ name: 'x', measureUuid: 'revenue', agg_function: 'median' }] });
    expect(median.body.status).toBe('error');
    expect(median.body.errors[0]).toContain('select[0].agg_function: must be one of sum, min, max, avg');
    const unknown = await query({ select: [{ name: 'x', measureUuid: 'typo' }] });
    expect(unknown.body.status).toBe('error');
    expect(unknown.body.errors[0]).toContain('select[0].measureUuid: unknown column "qty"');
  });
});

describe('formulas selected by name (no measureUuid), as the vendor clients do', () => {
  beforeAll(async () => {
    const saved = await seren(app, 'PUT', `/api/data_source/${uuid}`, {
      jsonContent: {
        measures: {
          double: { name: 'Double sales', formula: '2 * [sales]' },
          margin: { name: 'Margin', formula: '[sales] - [cost]' },
          shadowed: { name: 'Sales', formula: '100 * [sales]' },
          dup1: { name: 'Twice', formula: '[sales]' },
          dup2: { name: 'Twice', formula: '[cost]' },
        },
      },
    });
    expect(saved.status).toBe(200);
  });

  it('selects and orders by a formula named in plain strings', async () => {
    const answer = await query({ select: ['Country', 'Double sales'], order_by: ['Double sales'] });
    expect(answer.body).toMatchObject({
      status: 'ok',
      data: [
        ['US', 10],
        ['FR', 60],
      ],
    });
    expect(answer.body.columns_titles.map((c: { name: string }) => c.name)).toEqual([
      'Country',
      'Double sales',
    ]);
  });

  it('groups by, filters on and sorts by a row-level formula named in objects', async () => {
    const answer = await query({
      group_by: [{ name: 'Margin' }],
      select: [{ name: 'Margin' }, { name: 'sales', agg_function: 'sum' }],
      where: [{ name: 'Margin', op: '>', value: 0 }],
      order_by: [{ name: 'Margin', direction: 'desc' }],
    });
    expect(answer.body).toMatchObject({
      status: 'ok',
      data: [
        [14, 20],
        [6, 10],
      ],
    });
  });

  it('lets a real column of the same name win over the formula', async () => {
    const answer = await query({ select: [{ name: 'Sales', agg_function: 'sum' }] });
    expect(answer.body).toMatchObject({ status: 'ok', data: [[35]] });
    const byUuid = await query({ select: [{ name: 'Sales', measureUuid: 'shadowed' }] });
    expect(byUuid.body).toMatchObject({ status: 'ok', data: [[3500]] });
  });

  it('answers an ambiguous name with the error envelope, and the uuid still works', async () => {
    const answer = await query({ select: ['Twice'] });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('error');
    expect(answer.body.errors[0]).toContain('select[0].name: formula name "Twice" is ambiguous (dup1, dup2)');
    const where = await query({ select: ['Country'], where: [{ name: 'Twice', op: '>', value: 1 }] });
    expect(where.body.errors[0]).toContain('where[0].name: formula name "Twice" is ambiguous');
    const byUuid = await query({ select: [{ name: 'Twice', measureUuid: 'dup2' }] });
    expect(byUuid.body).toMatchObject({ status: 'ok', data: [[15]] });
  });
});
