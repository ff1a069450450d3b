import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { demoDashboard, demoSource, pdfText, waitForJob } from './support/exports.ts';

/** Schedules carrying dashboard variables over HTTP: checked when saved, applied when rendered. */
describe('schedule variables', () => {
  let app: TestApp;
  let dashboardId: number;
  let hookUrl: string;
  const posted: Array<{ file: { content: string } }> = [];
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      posted.push(JSON.parse(body));
      response.end('ok');
    });
  });

  beforeAll(async () => {
    // The receiver listens on loopback, which deliveries may reach only when allowed.
    app = await startTestApp({ env: { ROSETTA_OUTBOUND_ALLOW: '127.0.0.1' } });
    const source = await demoSource(app);
    const demo = await demoDashboard(app);
    const widgets = demo.widgets.map((w: { id: string }) =>
      w.id === 'units-sold'
        ? {
            ...w,
            title: 'Units in {{country}}',
            query: {
              source,
              metrics: [{ field: 'quantity', aggregation: 'sum' }],
              filters: { field: 'country', operator: 'in', values: [{ variable: 'country' }] },
            },
          }
        : w,
    );
    const patched = await app.request('PATCH', `/api/dashboards/${demo.id}`, {
      variables: [{ name: 'country', type: 'string', default: 'France' }],
      widgets,
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    dashboardId = demo.id;
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  }, 120_000);
  afterAll(async () => {
    receiver.close();
    await app?.close();
  });

  const schedule = (variables?: unknown) => ({
    name: 'Units by country',
    cron: '0 8 * * 1',
    target: { dashboard: dashboardId },
    format: 'pdf',
    variables,
    destination: { type: 'webhook', url: hookUrl },
  });

  it("renders a run's PDF with the schedule's variables over the dashboard's defaults", async () => {
    const created = await app.request('POST', '/api/schedules', schedule({ country: 'Spain' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.schedule.variables).toEqual({ country: 'Spain' });
    const run = await app.request('POST', `/api/schedules/${created.body.schedule.id}/run`);
    expect(run.status).toBe(202);
    const job = await waitForJob(app, run.body.job.id);
    expect(job.status, job.error).toBe('success');
    const text = pdfText(Buffer.from(posted.at(-1)?.file.content ?? '', 'base64'));
    expect(text).toContain('Units in Spain');
    expect(text).not.toContain('Units in France');

    // Cleared, the dashboard's default applies again.
    const patched = await app.request('PATCH', `/api/schedules/${created.body.schedule.id}`, {
      variables: null,
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.schedule.variables).toEqual({});
    const again = await app.request('POST', `/api/schedules/${created.body.schedule.id}/run`);
    expect((await waitForJob(app, again.body.job.id)).status).toBe('success');
    expect(pdfText(Buffer.from(posted.at(-1)?.file.content ?? '', 'base64'))).toContain('Units in France');
  });

  it.each([
    [{ region: 'EU' }, 'variables.region', /no variable with this name/],
    [{ country: 3 }, 'variables.country', /must be a string/],
    [{ country: { nested: true } }, 'variables.country', /must be a string/],
  ])('refuses variables %j with a 400 on %s', async (variables, field, message) => {
    const { status, body } = await app.request('POST', '/api/schedules', schedule(variables));
    expect(status).toBe(400);
    expect(body.error.field).toBe(field);
    expect(body.error.message).toMatch(message);
    const list = await app.request('GET', '/api/schedules');
    expect(list.body.items.every((s: { variables: object }) => !('region' in s.variables))).toBe(true);
  });

  it('refuses variables on an alert that watches a query', async () => {
    const source = await demoSource(app);
    const { status, body } = await app.request('POST', '/api/alerts', {
      name: 'Any units',
      cron: '0 * * * *',
      target: { query: { source, metrics: [{ field: 'quantity', aggregation: 'sum' }] } },
      variables: { country: 'Spain' },
      destination: { type: 'webhook', url: hookUrl },
      conditions: [{ field: 'sum_quantity', aggregation: 'first', operator: 'greater_than', values: [0] }],
    });
    expect(status).toBe(400);
    expect(body.error.field).toBe('variables');
  });
});
