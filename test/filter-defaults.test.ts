import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { exportFile, waitForJob } from './support/exports.ts';

/**
 * A dashboard that opens on its filters' defaults shows the same numbers everywhere it is drawn
 * without a screen: widget results with no filter values, exports, email deliveries and alerts
 * apply the defaults exactly as the screen does, and say so. Expected sums come from the
 * warehouse itself (admin SQL console).
 */
let app: TestApp;
let source: { id: number; uuid: string };
let dashboard: number;

const thisYear = new Date().getUTCFullYear();
const lastYear = thisYear - 1;
const rows = [
  { ordered_at: `${lastYear - 1}-06-01T10:00:00`, shipped_at: `${lastYear - 1}-06-02T10:00:00`, amount: 1 },
  { ordered_at: `${lastYear}-01-01T00:00:00`, shipped_at: `${lastYear}-01-02T00:00:00`, amount: 10 },
  { ordered_at: `${lastYear}-12-31T23:30:00`, shipped_at: `${thisYear}-01-01T09:00:00`, amount: 100 },
  { ordered_at: `${thisYear}-01-01T00:00:00`, shipped_at: `${thisYear}-01-01T10:00:00`, amount: 1000 },
];

async function truth(where: string): Promise<number> {
  const answer = await app.request('POST', '/api/connections/1/sql', {
    sql: `SELECT SUM(amount) FROM storage.ds_${source.id} WHERE ${where}`,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return Number(answer.body.rows[0][0]);
}

const lastYearWhere = `ordered_at >= '${lastYear}-01-01' AND ordered_at < '${thisYear}-01-01'`;
const total = (body: { rows: unknown[][] }) => Number(body.rows[0][0]);

beforeAll(async () => {
  app = await startTestApp({ demo: false });
  source = (
    await app.request('POST', '/api/data-sources', {
      name: 'orders',
      type: 'storage',
      columns: [
        { name: 'ordered_at', type: 'datetime' },
        { name: 'shipped_at', type: 'datetime' },
        { name: 'amount', type: 'integer' },
      ],
    })
  ).body;
  await app.request('POST', `/api/data-sources/${source.id}/rows`, { mode: 'insert', rows });
  const created = await app.request('POST', '/api/dashboards', {
    name: 'Orders',
    widgets: [
      {
        id: 'total',
        query: { source: source.uuid, metrics: [{ field: 'amount', aggregation: 'sum' }] },
        visualization: { type: 'kpi' },
      },
    ],
    filters: [
      {
        id: 'when',
        field: 'ordered_at',
        label: 'When',
        type: 'date_range',
        default: { from: 'last 1 year' },
      },
    ],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  dashboard = created.body.id;
});
afterAll(() => app?.close());

describe('dashboard filter defaults', () => {
  it('apply to widget results asked without filter values, and a null value clears them', async () => {
    const url = `/api/dashboards/${dashboard}/widgets/total/results`;
    const opened = await app.request('POST', url, {});
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(total(opened.body)).toBe(await truth(lastYearWhere));
    expect(total(opened.body)).toBe(110);

    const cleared = await app.request('POST', url, { filters: { when: null } });
    expect(total(cleared.body)).toBe(await truth('true'));

    const chosen = await app.request('POST', url, {
      filters: { when: { from: `${thisYear}-01-01`, to: `${thisYear}-12-31` } },
    });
    expect(total(chosen.body)).toBe(await truth(`ordered_at >= '${thisYear}-01-01'`));
  });

  it('apply to an API export without filters, which says which filters it applied', async () => {
    const { job, text } = await exportFile(app, {
      widget: { dashboard, widget: 'total' },
      format: 'csv',
    });
    expect(text.trim().split('\n')[1]).toBe(String(await truth(lastYearWhere)));
    expect(job.result.filters).toEqual([{ label: 'When', text: 'Last year', origin: 'default' }]);

    const all = await exportFile(app, {
      widget: { dashboard, widget: 'total' },
      format: 'csv',
      filters: { when: null },
    });
    expect(all.text.trim().split('\n')[1]).toBe(String(await truth('true')));
    expect(all.job.result.filters).toEqual([]);
  });

  it('are printed under the title of a PDF export, with the time it was made', async () => {
    const { data } = await exportFile(app, { dashboard, format: 'pdf' });
    const dir = mkdtempSync(join(tmpdir(), 'rosetta-pdf-text-'));
    try {
      writeFileSync(join(dir, 'in.pdf'), data);
      const text = execFileSync('pdftotext', [join(dir, 'in.pdf'), '-']).toString();
      expect(text).toContain('Filters: When: Last year (default)');
      expect(text).toMatch(/Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      expect(text).toContain('110');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('apply to scheduled deliveries, whose email says so', async () => {
    const created = await app.request('POST', '/api/schedules', {
      name: 'Orders weekly',
      cron: '0 8 * * 1',
      timezone: 'Europe/Paris',
      target: { widget: { dashboard, widget: 'total' } },
      format: 'csv',
      destination: { type: 'email', recipients: ['team@example.test'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const run = await app.request('POST', `/api/schedules/${created.body.schedule.id}/run`);
    expect((await waitForJob(app, run.body.job.id)).status).toBe('success');
    const [message] = (await app.request('GET', '/api/outbox')).body.items;
    expect(message.text).toContain('Filters: When: Last year (default)');
  });

  it('apply to alerts on a widget unless the alert filters the same field', async () => {
    const alert = async (threshold: number, filters?: unknown[]) => {
      const created = await app.request('POST', '/api/alerts', {
        name: `Orders over ${threshold}`,
        cron: '0 * * * *',
        target: { widget: { dashboard, widget: 'total' } },
        format: 'csv',
        ...(filters && { filters }),
        conditions: [
          { field: 'sum_amount', aggregation: 'first', operator: 'greater_than', values: [threshold] },
        ],
        destination: { type: 'email', recipients: ['alerts@example.test'] },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const run = await app.request('POST', `/api/alerts/${created.body.alert.id}/run`);
      const job = await waitForJob(app, run.body.job.id);
      expect(job.status, job.error).toBe('success');
      return job.result.evaluation.triggered as boolean;
    };
    const shown = await truth(lastYearWhere);
    // All-time data (1111) is over 500; what the dashboard shows (110) is not.
    expect(await alert(500)).toBe(false);
    expect(await alert(shown - 1)).toBe(true);
    // The alert's own rule on the filter's field replaces the default.
    const since = [{ field: 'ordered_at', operator: '>=', values: [`${lastYear - 1}-01-01`] }];
    expect(await alert(500, since)).toBe(true);
  });
});

describe('a dashboard filter per tile', () => {
  it('filters each tile on its own field, or not at all where switched off', async () => {
    const widget = (id: string) => ({
      id,
      query: { source: source.uuid, metrics: [{ field: 'amount', aggregation: 'sum' }] },
      visualization: { type: 'kpi' },
    });
    const created = await app.request('POST', '/api/dashboards', {
      name: 'Orders per tile',
      widgets: [widget('ordered'), widget('shipped'), widget('all')],
      filters: [
        {
          id: 'when',
          field: 'ordered_at',
          label: 'When',
          type: 'date_range',
          default: { from: 'last 1 year' },
          tileTargets: { shipped: 'shipped_at', all: false },
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.filters[0].tileTargets).toEqual({ shipped: 'shipped_at', all: false });
    const id = created.body.id;
    const results = (widgetId: string) =>
      app.request('POST', `/api/dashboards/${id}/widgets/${widgetId}/results`, {});

    const ordered = await results('ordered');
    expect(total(ordered.body)).toBe(await truth(lastYearWhere));
    expect(ordered.body.appliedFilters).toEqual(['when']);
    const shipped = await results('shipped');
    expect(total(shipped.body)).toBe(
      await truth(`shipped_at >= '${lastYear}-01-01' AND shipped_at < '${thisYear}-01-01'`),
    );
    expect(total(shipped.body)).toBe(10);
    const all = await results('all');
    expect(total(all.body)).toBe(await truth('true'));
    expect(all.body.appliedFilters).toEqual([]);

    // The export of the whole dashboard takes each tile's target too.
    const { data } = await exportFile(app, { dashboard: id, format: 'xlsx' });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(data as unknown as ArrayBuffer);
    const firstValues = book.worksheets.map((sheet) => Number(sheet.getRow(2).getCell(1).value));
    expect(firstValues).toEqual([total(ordered.body), total(shipped.body), total(all.body)]);
  });

  it('refuses a target that is not a field name or false, and one the tile lacks', async () => {
    const bad = await app.request('POST', '/api/dashboards', {
      name: 'Bad targets',
      filters: [{ field: 'ordered_at', type: 'date_range', tileTargets: { a: 3 } }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('filters[0].tileTargets.a');

    const lacking = await app.request('POST', '/api/dashboards', {
      name: 'Lacking',
      widgets: [
        {
          id: 'a',
          query: { source: source.uuid, metrics: [{ field: 'amount', aggregation: 'sum' }] },
          visualization: { type: 'kpi' },
        },
      ],
      filters: [{ id: 'when', field: 'ordered_at', type: 'date_range', tileTargets: { a: 'planet' } }],
    });
    const answer = await app.request('POST', `/api/dashboards/${lacking.body.id}/widgets/a/results`, {
      filters: { when: { from: '2020-01-01' } },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('filters.when.tileTargets.a');
  });
});
