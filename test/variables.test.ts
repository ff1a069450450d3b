import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRows } from '../src/core/data/index.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { demoDashboard, demoSource, exportFile, pdfText } from './support/exports.ts';

/** Units sold per country, computed in JS from the rows the demo loads. */
const unitsIn = (...countries: string[]): number =>
  demoRows()
    .filter((row) => countries.includes(row[1] as string))
    .reduce((sum, row) => sum + (row[4] as number), 0);

/** Dashboard variables over HTTP: in native queries, dashboard exports and embeds. */
describe('variables', () => {
  let app: TestApp;
  let source: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  let dashboard: any;
  const byVariable = () => ({
    source,
    metrics: [{ field: 'quantity', aggregation: 'sum' }],
    filters: { and: [{ field: 'country', operator: 'in', values: [{ variable: 'country' }] }] },
  });

  beforeAll(async () => {
    app = await startTestApp();
    source = await demoSource(app);
    const demo = await demoDashboard(app);
    // The demo dashboard with a variable used by a widget filter, a title and a text widget.
    const widgets = demo.widgets.map((w: { id: string }) =>
      w.id === 'units-sold' ? { ...w, title: 'Units in {{country}}', query: byVariable() } : w,
    );
    widgets.push({
      id: 'note',
      title: 'Note',
      visualization: { type: 'text', options: { html: '<p>Showing <b>{{country}}</b> &amp; more</p>' } },
    });
    const patched = await app.request('PATCH', `/api/dashboards/${demo.id}`, {
      variables: [{ name: 'country', type: 'string', default: 'France' }],
      widgets,
      layout: [...demo.layout, { widgetId: 'note', x: 0, y: 20, w: 6, h: 2 }],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    dashboard = patched.body;
  }, 120_000);
  afterAll(() => app?.close());

  it('substitutes variables in query filters; a list means several values', async () => {
    const one = await app.request('POST', '/api/query', {
      ...byVariable(),
      variables: { country: 'France' },
    });
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(one.body.rows).toEqual([[unitsIn('France')]]);
    const literal = await app.request('POST', '/api/query', {
      ...byVariable(),
      filters: { field: 'country', operator: 'in', values: ['France'] },
    });
    expect(literal.body.rows).toEqual(one.body.rows);
    const two = await app.request('POST', '/api/query', {
      ...byVariable(),
      variables: { country: ['France', 'Spain'] },
    });
    expect(two.body.rows).toEqual([[unitsIn('France', 'Spain')]]);
    const sql = await app.request('POST', '/api/query/sql', {
      ...byVariable(),
      variables: { country: 'Spain' },
    });
    expect(sql.status).toBe(200);
    expect(sql.body.params).toContain('Spain');
  });

  it.each([
    [{}, 'filters.and[0].values[0].variable', /variable "country" has no value/],
    [{ variables: { country: { a: 1 } } }, 'variables.country', /string, number, boolean/],
    [{ variables: 'France' }, 'variables', /must be an object/],
  ])('%j → 400 naming %s', async (extra, field, message) => {
    const { status, body } = await app.request('POST', '/api/query', { ...byVariable(), ...extra });
    expect(status).toBe(400);
    expect(body.error.field).toBe(field);
    expect(body.error.message).toMatch(message);
  });

  it('refuses a variable whose value does not fit the field', async () => {
    const { status, body } = await app.request('POST', '/api/query', {
      source,
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      filters: { field: 'quantity', operator: '>', values: [{ variable: 'n' }] },
      variables: { n: 'many' },
    });
    expect(status).toBe(400);
    expect(body.error.message).toMatch(/"many" is not a valid/);
  });

  it('exports the dashboard with its defaults: title, text and number substituted', async () => {
    const { data } = await exportFile(app, { dashboard: dashboard.id, format: 'pdf' });
    const text = pdfText(data);
    expect(text).toContain('Units in France');
    expect(text).toContain('Showing France & more');
    expect(text.replace(/[\s,\u202f]/g, '')).toContain(String(unitsIn('France')));
  });

  it("exports with the request's variables over the defaults", async () => {
    const { data } = await exportFile(app, {
      dashboard: dashboard.id,
      format: 'pdf',
      variables: { country: 'Spain' },
    });
    const text = pdfText(data);
    expect(text).toContain('Units in Spain');
    expect(text).not.toContain('Units in France');
    const csv = await exportFile(app, {
      widget: { dashboard: dashboard.id, widget: 'units-sold' },
      format: 'csv',
      variables: { country: ['Spain', 'France'] },
    });
    expect(csv.data.toString()).toBe(`sum_quantity\r\n${unitsIn('Spain', 'France')}\r\n`);
    expect(csv.job.result.filename).toMatch(/^Demo sales - Units in Spain_ France /);
  });

  it('puts a value into an HTML text widget as text, never as markup', async () => {
    const { data } = await exportFile(app, {
      dashboard: dashboard.id,
      format: 'pdf',
      variables: { country: '<i>Spain</i>' },
    });
    expect(pdfText(data)).toContain('Showing <i>Spain</i> & more');
  });

  it.each([
    [{ country: 3 }, 'variables.country', /must be a string/],
    [{ region: 'x' }, 'variables.region', /no variable with this name/],
  ])('refuses export variables %j with a 400 on %s', async (variables, field, message) => {
    const { status, body } = await app.request('POST', '/api/exports', {
      dashboard: dashboard.id,
      format: 'pdf',
      variables,
    });
    expect(status).toBe(400);
    expect(body.error.field).toBe(field);
    expect(body.error.message).toMatch(message);
  });

  it("opens an embed with the token's values of the dashboard's variables", async () => {
    const created = await app.request('POST', `/api/dashboards/${dashboard.id}/embeds`, {
      expiresInSeconds: 600,
      variables: { country: 'Spain', tenant: 'acme' },
    });
    expect(created.status).toBe(201);
    const opened = await app.request('POST', '/api/embed/open', { token: created.body.token }, { token: '' });
    expect(opened.status).toBe(200);
    expect(opened.body.variables).toEqual({ country: 'Spain' });
  });
});
