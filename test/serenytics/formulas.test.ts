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
    { Country: 'FR', Sales: 10, Cost: 4 },
    { Country: 'FR', Sales: 20, Cost: 6 },
    { Country: 'US', Sales: 5, Cost: 5 },
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
