import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DASHBOARD_NAME } from '../../src/core/content/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { pdfText } from '../support/exports.ts';
import { seren, waitTask } from './support.ts';

let app: TestApp;
let demo: string;

beforeAll(async () => {
  app = await startTestApp();
  const list = await seren(app, 'GET', '/api/web_app');
  demo = list.body.objects.find((o: { name: string }) => o.name === DEMO_DASHBOARD_NAME).uuid;
}, 120_000);
afterAll(() => app?.close());

describe('web_app', () => {
  it('gets, renames through a whole PUT, sets CSS and an HTML header, clones and deletes (204)', async () => {
    const route = `/api/web_app/${demo}`;
    const web_app = (await seren(app, 'GET', route)).body;
    expect(web_app).toMatchObject({ uuid: demo, name: DEMO_DASHBOARD_NAME, jsonContent: expect.any(Object) });

    web_app.name = 'My New Name';
    const renamed = await seren(app, 'PUT', route, web_app);
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('My New Name');

    // What the client's set_custom_css / set_custom_html_header then save() send.
    const styled = await seren(app, 'PUT', route, {
      ...renamed.body,
      jsonContent: {
        ...renamed.body.jsonContent,
        cssContent: '.title { color: red; }',
        headerMode: 'custom',
        htmlHeader: '<b>Hi</b>',
      },
    });
    expect(styled.body.jsonContent).toMatchObject({
      cssContent: '.title { color: red; }',
      htmlHeader: '<b>Hi</b>',
    });
    // A partial PUT changes only what it names.
    const partial = await seren(app, 'PUT', route, { description: 'sales overview' });
    expect(partial.body).toMatchObject({ name: 'My New Name', description: 'sales overview' });
    expect(partial.body.jsonContent.cssContent).toBe('.title { color: red; }');

    const sources = await seren(app, 'GET', `${route}/data_sources`);
    expect(sources.body.status).toBe('ok');
    expect(sources.body.objects.map((o: { name: string }) => o.name)).toEqual(['demo_sales']);

    const cloned = await seren(app, 'POST', `${route}/clone`);
    expect(cloned.status).toBe(200);
    expect(cloned.body.uuid).not.toBe(demo);
    expect((await seren(app, 'DELETE', `/api/web_app/${cloned.body.uuid}`)).status).toBe(204);
    expect((await seren(app, 'GET', `/api/web_app/${cloned.body.uuid}`)).status).toBe(404);
  });

  it('merges dashboard_variables (201), never removing one', async () => {
    const url = `/api/web_app/${demo}/dashboard_variables`;
    const first = await seren(app, 'POST', url, {
      dashboard_variables: { date_of_data: '2022-06-24', business_unit: 'UK' },
    });
    expect(first.status).toBe(201);
    const second = await seren(app, 'POST', url, {
      dashboard_variables: { business_unit: 'FR', year: 2024 },
    });
    expect(second.body.jsonContent.dashboard_variables).toEqual({
      date_of_data: '2022-06-24',
      business_unit: 'FR',
      year: 2024,
    });
  });

  it('shares with a user (201)', async () => {
    await seren(app, 'POST', '/api/user', {
      username: 'share@doe.com',
      password: 'myStrongPassword',
      category: 'viewer',
    });
    const shared = await seren(app, 'POST', `/api/web_app/${demo}/sharings`, {
      username_to_share_with: 'share@doe.com',
    });
    expect(shared.status).toBe(201);
  });
});

describe('web_app widgets written back by PUT', () => {
  it('round-trips a retitled widget and a removed one; the native API agrees', async () => {
    const cloned = (await seren(app, 'POST', `/api/web_app/${demo}/clone`)).body;
    const route = `/api/web_app/${cloned.uuid}`;
    const web_app = (await seren(app, 'GET', route)).body;
    const widgets = web_app.jsonContent.widgets;
    expect(widgets.map((w: { uuid: string }) => w.uuid)).toHaveLength(6);
    expect(widgets[4]).toMatchObject({
      title: 'Revenue by country',
      type: 'bar',
      options: { horizontal: true },
      data: { datasource_uuid: expect.any(String), query: { dimensions: ['country'] } },
      position: { x: 8, y: 3, w: 4, h: 10 },
    });

    widgets[4].title = 'Revenue per country';
    widgets.splice(1, 3);
    const saved = await seren(app, 'PUT', route, web_app);
    expect(saved.status).toBe(200);
    const again = (await seren(app, 'GET', route)).body;
    expect(again.jsonContent.widgets.map((w: { title: string }) => w.title)).toEqual([
      'Units sold',
      'Revenue per country',
      'Sales by category',
    ]);
    const native = (await app.request('GET', `/api/dashboards/${cloned.uuid}`)).body;
    expect(native.widgets.map((w: { title: string }) => w.title)).toEqual([
      'Units sold',
      'Revenue per country',
      'Sales by category',
    ]);
    expect(native.layout).toHaveLength(3);
    expect(native.version).toBe(web_app.version + 1);
  });

  it('merges a partial PUT by uuid: changes a chart type, adds, reorders and moves widgets', async () => {
    const cloned = (await seren(app, 'POST', `/api/web_app/${demo}/clone`)).body;
    const route = `/api/web_app/${cloned.uuid}`;
    const [kpi] = cloned.jsonContent.widgets;
    const bar = cloned.jsonContent.widgets.find((w: { type: string }) => w.type === 'bar');
    const saved = await seren(app, 'PUT', route, {
      jsonContent: {
        widgets: [
          { uuid: bar.uuid, type: 'pie', position: { x: 0, y: 0, w: 6, h: 4 } },
          {
            title: 'Units by category',
            type: 'bar',
            options: { x: 'category', y: ['sum_quantity'] },
            data: {
              datasource_uuid: bar.data.datasource_uuid,
              query: { dimensions: ['category'], metrics: [{ field: 'quantity', aggregation: 'sum' }] },
            },
            position: { x: 6, y: 0, w: 6, h: 4 },
          },
          { uuid: kpi.uuid },
        ],
      },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const widgets = saved.body.jsonContent.widgets;
    expect(widgets.map((w: { type: string }) => w.type)).toEqual(['pie', 'bar', 'kpi']);
    expect(widgets[0]).toMatchObject({
      uuid: bar.uuid,
      title: 'Revenue by country',
      position: { x: 0, w: 6 },
    });
    expect(widgets[1]).toMatchObject({ title: 'Units by category', position: { x: 6, y: 0, w: 6, h: 4 } });
    expect(widgets[2].position).toEqual(kpi.position);
    expect(saved.body.name).toBe(cloned.name);
    // The new widget's query runs: the native dashboard holds a real widget.
    const native = (await app.request('GET', `/api/dashboards/${cloned.uuid}`)).body;
    expect(native.widgets[1].query).toMatchObject({
      source: bar.data.datasource_uuid,
      dimensions: ['category'],
    });
    // Filters round-trip in Rosetta's shape.
    const [date] = cloned.jsonContent.filters;
    const filtered = await seren(app, 'PUT', route, {
      jsonContent: { filters: [{ ...date, label: 'Day' }] },
    });
    expect(filtered.body.jsonContent.filters).toEqual([{ ...date, label: 'Day' }]);
  });

  it('refuses invalid widget JSON with a 400 naming the field, storing nothing', async () => {
    const route = `/api/web_app/${demo}`;
    const before = (await seren(app, 'GET', route)).body;
    const widgets = before.jsonContent.widgets;
    const cases: [unknown, string][] = [
      [[{ ...widgets[0], type: 'radar' }], 'jsonContent.widgets[0].type'],
      [[widgets[0], { title: 'no type' }], 'jsonContent.widgets[1].type'],
      [[{ type: 'bar', title: 'no data' }], 'jsonContent.widgets[0].data'],
      [[{ ...widgets[0], data: { query: {} } }], 'jsonContent.widgets[0].data.datasource_uuid'],
      [[{ ...widgets[0], position: { x: 10, y: 0, w: 6, h: 2 } }], 'jsonContent.widgets[0].position.w'],
      [[{ ...widgets[0], colour: 'red' }], 'jsonContent.widgets[0].colour'],
      [[widgets[0], widgets[0]], 'jsonContent.widgets[1].uuid'],
      ['all of them', 'jsonContent.widgets'],
    ];
    for (const [value, field] of cases) {
      const answer = await seren(app, 'PUT', route, { name: 'Renamed', jsonContent: { widgets: value } });
      expect(answer.status, field).toBe(400);
      expect(answer.body.errors[0].startsWith(`${field}:`), answer.body.errors[0]).toBe(true);
    }
    const badFilter = await seren(app, 'PUT', route, {
      jsonContent: { filters: [{ field: 'country', type: 'slider' }] },
    });
    expect(badFilter.body.errors[0]).toMatch(/^jsonContent\.filters\[0\]\.type: /);
    const after = (await seren(app, 'GET', route)).body;
    expect(after.version).toBe(before.version);
    expect(after.name).toBe(before.name);
    const versions = await app.request('GET', `/api/dashboards/${demo}/versions`);
    expect(versions.body.items[0].version).toBe(before.version);
  });
});

describe('generate_pdf (warm_up_cache)', () => {
  it('renders the dashboard as a task', async () => {
    const answer = await seren(app, 'POST', `/api/web_app/${demo}/generate_pdf`, {
      store_pdf: false,
      webapp_query_string: null,
    });
    expect(answer.body).toMatchObject({ status: 'ok', task_id: expect.any(String) });
    // The first PDF starts the render workers, which takes a while on a loaded machine.
    expect((await waitTask(app, answer.body.task_id, 50_000)).body.status).toBe('ok');
    const bad = await seren(app, 'POST', `/api/web_app/${demo}/generate_pdf`, {
      webapp_query_string: { embeddedPayload: '%%%' },
    });
    expect(bad.status).toBe(400);
  }, 60_000);
});

describe('generate_pdf with store_pdf', () => {
  it('stores the PDF rendered with the payload as filters and answers a signed pdf_url', async () => {
    const payload = Buffer.from(JSON.stringify({ country: 'France' })).toString('base64');
    const answer = await seren(app, 'POST', `/api/web_app/${demo}/generate_pdf`, {
      store_pdf: true,
      webapp_query_string: { embeddedPayload: payload },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'ok',
      pdf_url: expect.stringMatching(/^http:\/\/.+\/api\/exports\/download\?token=/),
      pdf_file_name: expect.stringMatching(/\.pdf$/),
      expires_at: expect.any(String),
    });
    // The link is the credential: fetched without any key, as a client downloads it.
    const url = new URL(answer.body.pdf_url);
    const file = await app.rosetta.server.inject({ method: 'GET', url: url.pathname + url.search });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(file.rawPayload.length).toBe(answer.body.size);
    const text = pdfText(file.rawPayload);
    expect(text).toContain('France');
    expect(text).not.toContain('Belgium');

    const unfiltered = await seren(app, 'POST', `/api/web_app/${demo}/generate_pdf`, { store_pdf: true });
    const all = new URL(unfiltered.body.pdf_url);
    const whole = await app.rosetta.server.inject({ method: 'GET', url: all.pathname + all.search });
    expect(pdfText(whole.rawPayload)).toContain('Belgium');

    const unknownFilter = Buffer.from(JSON.stringify({ planet: 'Mars' })).toString('base64');
    const refused = await seren(app, 'POST', `/api/web_app/${demo}/generate_pdf`, {
      store_pdf: true,
      webapp_query_string: { embeddedPayload: unknownFilter },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toContain('planet');
  }, 60_000);
});
