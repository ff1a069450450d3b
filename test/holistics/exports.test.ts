import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { demoDashboardId, keyOfNewUser, widgetIdOf } from './dashboard-support.ts';
import { hx, NO_RATE_LIMITS, waitForJob } from './support.ts';

let app: TestApp;
let demoId: number;

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  demoId = await demoDashboardId(app);
}, 60_000);
afterAll(() => app?.close());

/** Follows `/exports/download`'s redirect as Holistics' clients do (`http.follow`). */
async function download(jobId: number, key?: string) {
  const answer = await hx(app, 'GET', `/exports/download?job_id=${jobId}`, undefined, { key });
  if (answer.status !== 302) return { status: answer.status, body: answer.body, text: '' };
  const location = new URL(String(answer.headers.location));
  const file = await app.rosetta.server.inject({
    method: 'GET',
    url: `${location.pathname}${location.search}`,
  });
  return {
    status: file.statusCode,
    body: undefined,
    text: file.body,
    contentType: file.headers['content-type'],
  };
}

describe('Holistics widget exports', () => {
  it('exports a widget as CSV with dashboard filter conditions, downloaded through a redirect', async () => {
    const id = await widgetIdOf(app, demoId, 'Revenue by country');
    const submitted = await hx(app, 'POST', `/dashboard_widgets/${id}/submit_export`, {
      output: 'csv',
      dashboard_filter_conditions: [
        { dynamic_filter_id: 'country', condition: { operator: 'is', values: ['France', 'Germany'] } },
      ],
    });
    expect(submitted.status).toBe(200);
    expect((await waitForJob(app, submitted.body.job.id)).status).toBe('success');
    const file = await download(submitted.body.job.id);
    expect(file.status).toBe(200);
    expect(file.contentType).toContain('text/csv');
    const countries = file.text
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(',')[0].replace(/"/g, ''));
    // The same rows as the native API answers for the same filter.
    const native = await app.request('POST', `/api/dashboards/${demoId}/widgets/revenue-by-country/results`, {
      filters: { country: ['France', 'Germany'] },
    });
    expect(countries.sort()).toEqual(
      native.body.rows
        .map((row: string[] | Record<string, string>) => (Array.isArray(row) ? row[0] : row.country))
        .sort(),
    );
    expect(countries.sort()).toEqual(['France', 'Germany']);
  });

  it('exports xlsx, with relative date conditions as the guides write them', async () => {
    const id = await widgetIdOf(app, demoId, 'Sales by category');
    const submitted = await hx(app, 'POST', `/dashboard_widgets/${id}/submit_export`, {
      output: 'xlsx',
      dashboard_filter_conditions: [
        { dynamic_filter_id: 'date', condition: { operator: 'matches', values: ['last 20 years'] } },
      ],
    });
    expect(submitted.status).toBe(200);
    expect((await waitForJob(app, submitted.body.job.id)).status).toBe('success');
    const file = await download(submitted.body.job.id);
    expect(file.status).toBe(200);
    expect(file.contentType).toContain('spreadsheetml');
  });

  it("exports an Excel workbook for the tutorial's `output: 'excel'`", async () => {
    const id = await widgetIdOf(app, demoId, 'Sales by category');
    const submitted = await hx(app, 'POST', `/dashboard_widgets/${id}/submit_export`, { output: 'excel' });
    expect(submitted.status).toBe(200);
    expect((await waitForJob(app, submitted.body.job.id)).status).toBe('success');
    expect((await download(submitted.body.job.id)).contentType).toContain('spreadsheetml');
  });

  it('refuses bad output and conditions naming the field, and a missing widget with 404', async () => {
    const id = await widgetIdOf(app, demoId, 'Units sold');
    const output = await hx(app, 'POST', `/dashboard_widgets/${id}/submit_export`, { output: 'png' });
    expect(output.status).toBe(422);
    expect(output.body.details.field).toContain('output');
    const phrase = await hx(app, 'POST', `/dashboard_widgets/${id}/submit_export`, {
      output: 'csv',
      dashboard_filter_conditions: [
        { dynamic_filter_id: 'date', condition: { operator: 'matches', values: ['whenever'] } },
      ],
    });
    expect(phrase.status).toBe(422);
    expect(phrase.body.details.field).toBe('dashboard_filter_conditions[0].condition.values');
    expect((await hx(app, 'POST', '/dashboard_widgets/999999/submit_export', { output: 'csv' })).status).toBe(
      404,
    );
  });

  it('answers 422 for a job that is not an export and 404 for a job that is not the caller’s', async () => {
    const preload = await hx(app, 'POST', `/dashboards/${demoId}/submit_preload`, {});
    await waitForJob(app, preload.body.job.id);
    const notExport = await download(preload.body.job.id);
    expect(notExport.status).toBe(422);
    expect(notExport.body.details.field).toBe('job_id');
    const viewerKey = await keyOfNewUser(app, 'viewer', 'viewer@exports.test');
    const id = await widgetIdOf(app, demoId, 'Units sold');
    const submitted = await hx(app, 'POST', `/dashboard_widgets/${id}/submit_export`, { output: 'csv' });
    await waitForJob(app, submitted.body.job.id);
    expect((await download(submitted.body.job.id, viewerKey)).status).toBe(404);
    expect((await download(999999)).status).toBe(404);
  });

  it('lets a viewer export and download their own export', async () => {
    const viewerKey = await keyOfNewUser(app, 'viewer', 'viewer2@exports.test');
    const id = await widgetIdOf(app, demoId, 'Units sold');
    const submitted = await hx(
      app,
      'POST',
      `/dashboard_widgets/${id}/submit_export`,
      { output: 'csv' },
      { key: viewerKey },
    );
    expect(submitted.status).toBe(200);
    await waitForJob(app, submitted.body.job.id, viewerKey);
    const file = await download(submitted.body.job.id, viewerKey);
    expect(file.status).toBe(200);
    expect(file.text.split(/\r?\n/).length).toBeGreaterThan(1);
  });
});
