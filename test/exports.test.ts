import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStore } from '../src/core/exports/files.ts';
import { columnLabel, withoutFloatNoise } from '../src/core/exports/present.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import {
  decodePng,
  demoDashboard,
  demoSource,
  exportFile,
  getFile,
  pdfFirstPage,
  waitForJob,
} from './support/exports.ts';

/** Exports end to end: POST /api/exports → job → download, against the demo data. */
describe('exports', () => {
  let app: TestApp;
  let source: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  let dashboard: any;
  beforeAll(async () => {
    app = await startTestApp();
    source = await demoSource(app);
    dashboard = await demoDashboard(app);
  });
  afterAll(() => app.close());

  const widgetQuery = (id: string) => dashboard.widgets.find((w: { id: string }) => w.id === id).query;

  it('renders the demo dashboard as a PDF that pdftoppm converts', async () => {
    const queued = await app.request('POST', '/api/exports', { dashboard: dashboard.id, format: 'pdf' });
    expect(queued.status).toBe(202);
    expect(queued.body.job).toMatchObject({ id: expect.any(Number), status: 'queued' });
    // Asked before the job can have finished (the render workers are still starting).
    const early = await getFile(app, `/api/jobs/${queued.body.job.id}/download`);
    expect(early.status).toBe(409);

    const job = await waitForJob(app, queued.body.job.id);
    expect(job.status, job.error).toBe('success');
    expect(job.result).toMatchObject({
      filename: expect.stringMatching(/^Demo sales \d{4}-\d\d-\d\d\.pdf$/),
      contentType: 'application/pdf',
      size: expect.any(Number),
      pages: expect.any(Number),
      downloadUrl: expect.stringMatching(/^\/api\/exports\/download\?token=/),
    });
    const file = await getFile(app, `/api/jobs/${job.id}/download`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toContain('Demo sales');
    expect(file.data.subarray(0, 5).toString()).toBe('%PDF-');
    expect(file.data.length).toBe(job.result.size);
    const page = decodePng(pdfFirstPage(file.data, 'demo-dashboard.png'));
    expect(page.width).toBeGreaterThan(500);
  });

  it('renders the demo dashboard as a PNG that decodes', async () => {
    const { data, headers } = await exportFile(app, { dashboard: dashboard.uuid, format: 'png' });
    expect(headers['content-type']).toBe('image/png');
    const { width, height } = decodePng(data);
    expect(width).toBe(1600);
    expect(height).toBeGreaterThan(600);
  });

  it('exports a widget as XLSX with the same rows as POST /api/query', async () => {
    const expected = await app.request('POST', '/api/query', widgetQuery('sales-by-category'));
    const { data, job } = await exportFile(app, {
      widget: { dashboard: dashboard.id, widget: 'sales-by-category' },
      format: 'xlsx',
    });
    expect(job.result.rows).toBe(expected.body.rows.length);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows[0]).toEqual(expected.body.columns.map((c: { name: string }) => columnLabel(c.name)));
    // The demo's DOUBLE sums lose their representation noise in the file, and only that.
    const clean = (value: unknown) => (typeof value === 'number' ? withoutFloatNoise(value) : value);
    expect(rows.slice(1)).toEqual(expected.body.rows.map((row: unknown[]) => row.map(clean)));
  });

  it('exports a query as CSV with the query rows', async () => {
    const query = {
      source,
      dimensions: ['country', { field: 'date', granularity: 'month' }],
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      sorts: [{ field: 'country' }, { field: 'date_month' }],
    };
    const expected = await app.request('POST', '/api/query', query);
    const { data, job } = await exportFile(app, { query, format: 'csv' });
    const [header, ...rows] = parse(data.toString('utf8')) as string[][];
    expect(header).toEqual(['country', 'date_month', 'sum_quantity']);
    expect(rows).toEqual(expected.body.rows.map((row: unknown[]) => row.map(String)));
    expect(job.result).toMatchObject({
      rows: rows.length,
      truncated: false,
      contentType: 'text/csv; charset=utf-8',
    });
  });

  it('applies dashboard filter values to every widget query', async () => {
    const total = async (filters?: unknown) => {
      const { data } = await exportFile(app, {
        widget: { dashboard: dashboard.id, widget: 'units-sold' },
        format: 'csv',
        filters,
      });
      return Number((parse(data.toString('utf8')) as string[][])[1][0]);
    };
    const all = await total();
    const france = await total({ country: ['France'] });
    const franceQ1 = await total({ country: ['France'], date: { from: '2023-01-01', to: '2023-03-31' } });
    const expected = await app.request('POST', '/api/query', {
      ...widgetQuery('units-sold'),
      filters: { and: [{ field: 'country', operator: 'in', values: ['France'] }] },
    });
    expect(france).toBe(expected.body.rows[0][0]);
    expect(france).toBeLessThan(all);
    expect(franceQ1).toBeGreaterThan(0);
    expect(franceQ1).toBeLessThan(france);
  });

  it('refuses bad requests with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ dashboard: dashboard.id, format: 'docx' }, 'format'],
      [{ dashboard: dashboard.id, query: { source }, format: 'pdf' }, 'target'],
      [{ format: 'pdf' }, 'target'],
      [{ dashboard: dashboard.id, format: 'pdf', filters: { colour: ['red'] } }, 'filters.colour'],
      [{ dashboard: dashboard.id, format: 'pdf', filters: { date: ['2024'] } }, 'filters.date'],
      [{ dashboard: dashboard.id, format: 'csv' }, 'format'],
      [{ widget: { dashboard: dashboard.id, widget: 'nope' }, format: 'csv' }, 'widget.widget'],
      [{ query: { source, dimensions: ['colour'] }, format: 'csv' }, 'query.dimensions[0].field'],
      [{ query: { source: 123 }, format: 'csv' }, 'query.source'],
      [
        { query: { source, dimensions: ['country'] }, format: 'csv', filters: { country: 'Spain' } },
        'filters.country',
      ],
      [{ query: { source, dimensions: ['country'] }, format: 'csv', filters: { colour: ['x'] } }, 'filters'],
    ];
    for (const [body, field] of cases) {
      const answer = await app.request('POST', '/api/exports', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.field, JSON.stringify(answer.body)).toBe(field);
    }
    expect((await app.request('POST', '/api/exports', { dashboard: 999_999, format: 'pdf' })).status).toBe(
      404,
    );
    expect((await getFile(app, '/api/jobs/999999/download')).status).toBe(404);
  });

  it('serves the signed link without a bearer and refuses tampered or expired tokens', async () => {
    const { job, data } = await exportFile(app, {
      widget: { dashboard: dashboard.id, widget: 'units-sold' },
      format: 'csv',
    });
    const url: string = job.result.downloadUrl;
    const viaLink = await getFile(app, url, null);
    expect(viaLink.status).toBe(200);
    expect(viaLink.data).toEqual(data);
    expect((await getFile(app, `/api/jobs/${job.id}/download`, null)).status).toBe(401);

    const token = decodeURIComponent(url.split('token=')[1]);
    const [key, expires, signature] = token.split('.');
    const tampered = [
      `${key}.${Number(expires) + 3600}.${signature}`,
      `${key}.${expires}.${signature.slice(0, -2)}AA`,
      `${crypto.randomUUID()}.${expires}.${signature}`,
      'garbage',
    ];
    for (const bad of tampered) {
      const answer = await getFile(app, `/api/exports/download?token=${encodeURIComponent(bad)}`, null);
      expect(answer.status, bad).toBe(403);
      expect(answer.text).toMatch(/signature/);
    }
    const files = createFileStore({
      filesDir: app.dataDir,
      secret: app.rosetta.config.secret,
      retentionMs: 1000,
    });
    const expired = files.sign(key, new Date(Date.now() - 60_000)).token;
    const answer = await getFile(app, `/api/exports/download?token=${encodeURIComponent(expired)}`, null);
    expect(answer.status).toBe(403);
    expect(answer.text).toMatch(/expired/);
  });

  it('gives a reader with a row policy only their rows', async () => {
    const sources = await app.request('GET', '/api/data-sources');
    const demo = sources.body.items.find((s: { uuid: string }) => s.uuid === source);
    expect(
      (await app.request('POST', '/api/attributes', { key: 'region_country', type: 'string' })).status,
    ).toBe(201);
    const viewer = await app.request('POST', '/api/users', {
      email: 'viewer@example.com',
      password: 'viewer password 1',
      // Exporting an ad-hoc query is an ad-hoc query: interactive viewers and up.
      role: 'interactive_viewer',
    });
    expect(viewer.status).toBe(201);
    const set = await app.request('PUT', `/api/users/${viewer.body.id}/attributes`, {
      attributes: { region_country: ['Spain'] },
    });
    expect(set.status).toBe(200);
    const patched = await app.request('PATCH', `/api/data-sources/${demo.id}`, {
      policies: [{ field: 'country', attribute: 'region_country' }],
    });
    expect(patched.status).toBe(200);
    const login = await app.request(
      'POST',
      '/api/auth/login',
      { email: 'viewer@example.com', password: 'viewer password 1' },
      { token: '' },
    );
    const token = login.body.token;

    const query = { source, dimensions: ['country'], metrics: [{ field: 'quantity', aggregation: 'sum' }] };
    const { data } = await exportFile(app, { query, format: 'csv' }, token);
    const [, ...rows] = parse(data.toString('utf8')) as string[][];
    expect(rows.map((r) => r[0])).toEqual(['Spain']);
    const adminRows = (await app.request('POST', '/api/query', query)).body.rows;
    expect(adminRows.length).toBeGreaterThan(1);
    expect(rows[0][1]).toBe(String(adminRows.find((r: unknown[]) => r[0] === 'Spain')[1]));

    const mine = await exportFile(app, { dashboard: dashboard.id, format: 'pdf' }, token);
    const admins = await exportFile(app, { dashboard: dashboard.id, format: 'pdf' });
    expect(mine.job.result.rows).toBeLessThan(admins.job.result.rows);
    // The viewer cannot read the admin's job.
    expect((await getFile(app, `/api/jobs/${admins.job.id}/download`, token)).status).toBe(404);
  });

  it('lists the export routes in the OpenAPI document', async () => {
    const { body } = await app.request('GET', '/api/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/exports',
        '/api/jobs/{id}/download',
        '/api/exports/download',
        '/api/schedules',
      ]),
    );
  });
});

describe('exports under a small row cap', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ROSETTA_MAX_QUERY_ROWS: '1000' } });
  });
  afterAll(() => app.close());

  it('stops a streamed export at the cap and says so', async () => {
    const query = { source: await demoSource(app), aggregate: false, dimensions: ['date', 'country'] };
    for (const format of ['csv', 'xlsx']) {
      const { job } = await exportFile(app, { query, format });
      expect(job.result).toMatchObject({ rows: 1000, truncated: true });
      expect(job.result.warnings).toEqual(['the export stopped at the row cap of 1000 rows']);
      const logs = await app.request('GET', `/api/jobs/${job.id}/logs`);
      expect(logs.body.items.map((l: { message: string }) => l.message)).toContain(job.result.warnings[0]);
    }
    const { data } = await exportFile(app, { query, format: 'csv' });
    expect(parse(data.toString('utf8'))).toHaveLength(1001);
  });
});
