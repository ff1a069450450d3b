import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';
import { decodePng, demoDashboard, demoSource, waitForJob } from './support/exports.ts';
import { smtpCatcher } from './support/smtp.ts';

/**
 * Subscriptions through the whole app: dashboard filter values kept with a schedule and applied
 * at run time (checked against independent queries), the email's link and inline picture over
 * real SMTP, next run times, and alert conditions in the query filters' operator vocabulary.
 */

const PUBLIC_URL = 'https://bi.example.test/rosetta';

async function sheetRows(content: Buffer): Promise<Map<string, unknown[][]>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(content as unknown as ArrayBuffer);
  const sheets = new Map<string, unknown[][]>();
  for (const sheet of workbook.worksheets) {
    const rows: unknown[][] = [];
    sheet.eachRow((row) => {
      rows.push((row.values as unknown[]).slice(1));
    });
    sheets.set(sheet.name, rows);
  }
  return sheets;
}

/** The Paris wall-clock weekday and time of an instant, read with Intl (not with croner). */
const parisClock = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso));

describe('subscriptions', () => {
  const smtp = smtpCatcher();
  const { received } = smtp;
  let app: TestApp;
  let dashboard: { id: number; name: string };
  let source: string;
  beforeAll(async () => {
    app = await startTestApp({
      env: { SMTP_URL: await smtp.listen(), ROSETTA_PUBLIC_URL: `${PUBLIC_URL}/` },
    });
    dashboard = await demoDashboard(app);
    source = await demoSource(app);
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  const subscription = (extra: Record<string, unknown> = {}) => ({
    name: 'French sales',
    cron: '0 8 * * 1',
    timezone: 'Europe/Paris',
    target: { dashboard: dashboard.id },
    format: 'xlsx',
    destination: { type: 'email', recipients: ['fr@example.test'] },
    ...extra,
  });

  async function total(metric: Record<string, unknown>, country: string) {
    const { body } = await app.request('POST', '/api/query', {
      source,
      metrics: [metric],
      filters: { field: 'country', operator: '=', values: [country] },
    });
    return body.rows[0][0] as number;
  }

  it('sends the dashboard with its filter values applied, a link and an inline picture', async () => {
    const created = await app.request(
      'POST',
      '/api/schedules',
      subscription({ filterValues: { country: ['France'] } }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.schedule.filterValues).toEqual({ country: ['France'] });
    const run = await app.request('POST', `/api/schedules/${created.body.schedule.id}/run`);
    const job = await waitForJob(app, run.body.job.id);
    expect(job.status, job.error).toBe('success');

    expect(received).toHaveLength(1);
    const [mail] = received;
    const link = `${PUBLIC_URL}/dashboards/${dashboard.id}`;
    expect(mail.text).toContain('Country: France');
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`<a href="${link}">`);
    expect(mail.attachments).toHaveLength(2);
    const xlsx = mail.attachments.find((a) => a.filename?.endsWith('.xlsx'));
    const picture = mail.attachments.find((a) => a.related);
    if (!xlsx || !picture) throw new Error('the file or the picture is missing');
    expect(mail.html).toContain(`src="cid:${picture.cid}"`);
    expect(picture).toMatchObject({ contentType: 'image/png', contentDisposition: 'inline' });
    expect(decodePng(picture.content).width).toBeGreaterThan(500);

    // The numbers of the file are France's, as independent queries count them.
    const sheets = await sheetRows(xlsx.content);
    const units = sheets.get('Units sold');
    expect(units?.[1]).toEqual([await total({ field: 'quantity', aggregation: 'sum' }, 'France')]);
    const byCountry = sheets.get('Revenue by country') ?? [];
    expect(byCountry.slice(1).map((row) => row[0])).toEqual(['France']);
    const { body: revenue } = await app.request('POST', '/api/query', {
      source,
      calculations: [{ name: 'line_revenue', formula: 'price * quantity' }],
      metrics: [{ field: 'line_revenue', aggregation: 'sum' }],
      filters: { field: 'country', operator: '=', values: ['France'] },
    });
    expect(byCountry[1][1]).toBeCloseTo(revenue.rows[0][0], 2);
  });

  it('checks filter values when saved, naming filterValues.<id>', async () => {
    const fieldOf = async (body: unknown) => {
      const { status, body: answer } = await app.request('POST', '/api/schedules', body);
      expect(status, JSON.stringify(answer)).toBe(400);
      return answer.error.field;
    };
    expect(await fieldOf(subscription({ filterValues: { colour: ['red'] } }))).toBe('filterValues.colour');
    expect(await fieldOf(subscription({ filterValues: { country: { min: 1 } } }))).toBe(
      'filterValues.country',
    );
    expect(await fieldOf(subscription({ filterValues: ['France'] }))).toBe('filterValues');
    const alert = {
      name: 'Units',
      cron: '0 * * * *',
      target: { query: { source, metrics: [{ field: 'quantity', aggregation: 'sum' }] } },
      conditions: [{ field: 'sum_quantity', aggregation: 'first', operator: '>', values: [1] }],
      destination: { type: 'email', recipients: ['a@example.test'] },
      filterValues: { country: ['France'] },
    };
    const { status, body } = await app.request('POST', '/api/alerts', alert);
    expect(status).toBe(400);
    expect(body.error.field).toBe('filterValues');

    // A change of filter values alone is checked too.
    const created = await app.request('POST', '/api/schedules', subscription());
    const patched = await app.request('PATCH', `/api/schedules/${created.body.schedule.id}`, {
      filterValues: { date: { relative: ['last', 3, 'month'] }, nope: null },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error.field).toBe('filterValues.nope');
    const fine = await app.request('PATCH', `/api/schedules/${created.body.schedule.id}`, {
      filterValues: { date: { relative: ['last', 3, 'month'] }, country: null },
    });
    expect(fine.status, JSON.stringify(fine.body)).toBe(200);
    expect(fine.body.schedule.filterValues).toEqual({
      date: { relative: ['last', 3, 'month'] },
      country: null,
    });
  });

  it('answers the next run, and previews fire times in a timezone', async () => {
    const before = Date.now();
    const created = await app.request('POST', '/api/schedules', subscription());
    const { nextRunAt } = created.body.schedule;
    expect(parisClock(nextRunAt)).toBe('Monday 08:00');
    expect(Date.parse(nextRunAt)).toBeGreaterThan(before);
    expect(Date.parse(nextRunAt) - before).toBeLessThanOrEqual(7 * 86_400_000);

    const preview = await app.request(
      'GET',
      `/api/schedules/next-runs?cron=${encodeURIComponent('0 9 1 * *')}&timezone=Europe/Paris&count=3`,
    );
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.timezone).toBe('Europe/Paris');
    expect(preview.body.runs).toHaveLength(3);
    const days = preview.body.runs.map((iso: string) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(new Date(iso)),
    );
    expect(days).toEqual(['1, 09:00', '1, 09:00', '1, 09:00']);
    expect(new Set(preview.body.runs).size).toBe(3);

    const bad = await app.request('GET', '/api/schedules/next-runs?cron=every%20day');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('cron');
    const zone = await app.request(
      'GET',
      '/api/schedules/next-runs?cron=0%208%20*%20*%201&timezone=Mars/Base',
    );
    expect(zone.status).toBe(400);
    expect(zone.body.error.field).toBe('timezone');
  });

  it('takes the query filter operators in alert conditions, reading the old words as them', async () => {
    const alert = (operator: string, values: unknown[] = [1]) => ({
      name: `Units ${operator}`,
      cron: '0 * * * *',
      target: { widget: { dashboard: dashboard.id, widget: 'units-sold' } },
      conditions: [{ field: 'sum_quantity', aggregation: 'first', operator, values }],
      destination: { type: 'email', recipients: ['alerts@example.test'] },
    });
    const words = await app.request('POST', '/api/alerts', alert('greater_or_equal'));
    expect(words.status, JSON.stringify(words.body)).toBe(201);
    expect(words.body.alert.conditions[0].operator).toBe('>=');
    const symbols = await app.request('POST', '/api/alerts', alert('not in', [1, 2, 3]));
    expect(symbols.status, JSON.stringify(symbols.body)).toBe(201);
    expect(symbols.body.alert.conditions[0]).toMatchObject({ operator: 'not in', values: [1, 2, 3] });

    const refused = await app.request('POST', '/api/alerts', alert('contains'));
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('conditions[0].operator');
    expect(refused.body.error.message).toMatch(/must be one of .*>=.*between.*greater_than/);

    // The job result of an alert run says whether it triggered.
    const units = await total({ field: 'quantity', aggregation: 'sum' }, 'France');
    const quiet = await app.request('POST', '/api/alerts', alert('<', [0]));
    const run = await app.request('POST', `/api/alerts/${quiet.body.alert.id}/run`);
    const job = await waitForJob(app, run.body.job.id);
    expect(job).toMatchObject({ status: 'success', result: { triggered: false } });
    expect(units).toBeGreaterThan(0);
    const loud = await app.request('POST', `/api/alerts/${symbols.body.alert.id}/run`);
    expect((await waitForJob(app, loud.body.job.id)).result).toMatchObject({ triggered: true });
  });

  it('documents the operator vocabulary as enums in the OpenAPI document', async () => {
    const { body } = await app.request('GET', '/api/openapi.json', undefined, { token: '' });
    const enumOf = (schema: { enum?: string[] }) => schema.enum ?? [];
    const bodyOf = (path: string) => body.paths[path].post.requestBody.content['application/json'].schema;
    const query = bodyOf('/api/query').properties.filters.anyOf[0].properties.operator;
    expect(enumOf(query)).toEqual(expect.arrayContaining(['=', '>=', 'in', 'not in', 'between', 'relative']));
    const scheduleFilter = bodyOf('/api/schedules').properties.filters.items.properties.operator;
    expect(enumOf(scheduleFilter)).toEqual(enumOf(query));
    const condition = bodyOf('/api/alerts').properties.conditions.items.properties.operator;
    expect(enumOf(condition)).toEqual([
      '=',
      '!=',
      '>',
      '>=',
      '<',
      '<=',
      'between',
      'in',
      'not in',
      ...['greater_than', 'less_than', 'greater_or_equal', 'less_or_equal', 'equals', 'not_equals'],
    ]);

    const wrong = await app.request('POST', '/api/query', {
      source,
      metrics: [{ field: 'quantity', aggregation: 'sum' }],
      filters: { field: 'country', operator: '~', values: ['x'] },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ field: 'filters.operator' });
    expect(wrong.body.error.message).toMatch(/must be one of =, !=/);
  });
});
