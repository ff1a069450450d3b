import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DASHBOARD_NAME } from '../../src/core/content/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
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

describe('generate_pdf (warm_up_cache)', () => {
  it('renders the dashboard as a task', async () => {
    const answer = await seren(app, 'POST', `/api/web_app/${demo}/generate_pdf`, {
      store_pdf: false,
      webapp_query_string: null,
    });
    expect(answer.body).toMatchObject({ status: 'ok', task_id: expect.any(String) });
    expect((await waitTask(app, answer.body.task_id)).body.status).toBe('ok');
    const bad = await seren(app, 'POST', `/api/web_app/${demo}/generate_pdf`, {
      webapp_query_string: { embeddedPayload: '%%%' },
    });
    expect(bad.status).toBe(400);
  }, 60_000);
});

describe('folder', () => {
  it('creates a webapp folder (201) and lists it with its resource_type', async () => {
    const created = await seren(app, 'POST', '/api/folder', {
      name: 'My new folder',
      resource_type: 'webapp',
    });
    expect(created.status).toBe(201);
    const folders = (await seren(app, 'GET', '/api/folder')).body.objects;
    expect(folders).toContainEqual(
      expect.objectContaining({ name: 'My new folder', resource_type: 'webapp' }),
    );
    const unsupported = await seren(app, 'POST', '/api/folder', {
      name: 'Sources',
      resource_type: 'datasource',
    });
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.errors[0]).toContain('resource_type');
  });
});
