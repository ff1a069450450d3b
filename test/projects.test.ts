import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganizationWithAdmin } from '../src/cli/create-organization.ts';
import { startTestApp, type TestApp } from './support/app.ts';

/**
 * Projects on the real server: admins manage them, members read them; models, folders,
 * dashboards, charts and schedules belong to one, lists filter by one, and nothing crosses an
 * organization or leaves an item in a folder of another project.
 */
let app: TestApp;
let otherAdmin = '';
let defaultProject: { id: number };
let source: { uuid: string; connectionId: number };

const query = (s: string) => ({ source: s, dimensions: [{ field: 'country' }], metrics: [] });

async function created(url: string, body: unknown, token?: string) {
  const response = await app.request('POST', url, body, { token });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function refusal(method: string, url: string, body?: unknown, token?: string) {
  const { status, body: answer } = await app.request(method, url, body, { token });
  return { status, field: answer?.error?.field, message: answer?.error?.message as string };
}

const idsOf = async (url: string, token?: string): Promise<number[]> =>
  (await app.request('GET', url, undefined, { token })).body.items.map((item: { id: number }) => item.id);

beforeAll(async () => {
  app = await startTestApp();
  const other = await createOrganizationWithAdmin(
    { store: app.rosetta.store, connections: app.rosetta.services.data.connections },
    { name: 'Elsewhere', adminEmail: 'admin@elsewhere.test' },
  );
  otherAdmin = other.apiKey;
  defaultProject = (await app.request('GET', '/api/projects')).body.items[0];
  [source] = (await app.request('GET', '/api/data-sources')).body.items;
}, 120_000);
afterAll(() => app?.close());

describe('the projects of an organization', () => {
  it('lists the default project, and lets admins create, rename and delete others', async () => {
    const listed = await app.request('GET', '/api/projects');
    expect(listed.body.items).toEqual([
      {
        id: defaultProject.id,
        uuid: expect.any(String),
        name: expect.any(String),
        isDefault: true,
        schedulerTimezone: 'UTC',
        createdAt: expect.any(String),
      },
    ]);
    const project = await created('/api/projects', { name: '  Finance  ' });
    expect(project).toMatchObject({ name: 'Finance', isDefault: false });
    expect((await refusal('POST', '/api/projects', { name: 'Finance' })).status).toBe(409);
    expect(await refusal('POST', '/api/projects', { name: '   ' })).toMatchObject({
      status: 400,
      field: 'name',
    });
    expect(await refusal('POST', '/api/projects', { name: 'x'.repeat(101) })).toMatchObject({
      status: 400,
      field: 'name',
    });

    const renamed = await app.request('PATCH', `/api/projects/${project.id}`, { name: 'Money' });
    expect(renamed).toMatchObject({ status: 200, body: { id: project.id, name: 'Money' } });
    expect((await app.request('GET', `/api/projects/${project.id}`)).body.name).toBe('Money');
    const paged = await app.request('GET', '/api/projects?limit=1');
    expect(paged.body).toMatchObject({ items: [{ id: defaultProject.id }], next: expect.any(String) });

    expect(await refusal('DELETE', `/api/projects/${defaultProject.id}`)).toMatchObject({ status: 400 });
    expect((await app.request('DELETE', `/api/projects/${project.id}`)).status).toBe(204);
    expect((await app.request('GET', `/api/projects/${project.id}`)).status).toBe(404);
    expect((await app.request('GET', '/api/projects/abc')).status).toBe(400);
  });

  it("keeps each organization's projects to itself", async () => {
    const mine = await created('/api/projects', { name: 'Private' });
    expect(
      (await app.request('GET', `/api/projects/${mine.id}`, undefined, { token: otherAdmin })).status,
    ).toBe(404);
    expect(await idsOf('/api/projects', otherAdmin)).not.toContain(mine.id);
    const intoMine = await refusal(
      'POST',
      '/api/dashboards',
      { name: 'Sneaky', projectId: mine.id },
      otherAdmin,
    );
    expect(intoMine).toMatchObject({ status: 400, field: 'projectId' });
    expect(await refusal('PATCH', `/api/projects/${mine.id}`, { name: 'Taken' }, otherAdmin)).toMatchObject({
      status: 404,
    });
    expect(await refusal('DELETE', `/api/projects/${mine.id}`, undefined, otherAdmin)).toMatchObject({
      status: 404,
    });
    // The same name is free in another organization.
    await created('/api/projects', { name: 'Private' }, otherAdmin);
    expect(await idsOf(`/api/dashboards?project=${mine.id}`, otherAdmin)).toEqual([]);
  });
});

describe('content in projects', () => {
  it('files content in its project, filters lists by project and refuses to mix projects', async () => {
    const sales = await created('/api/projects', { name: 'Sales' });
    const folder = await created('/api/folders', { name: 'Sales folder', projectId: sales.id });
    expect(folder.projectId).toBe(sales.id);
    // An item filed in a folder takes its project; naming another one is a 400 on the folder.
    const dashboard = await created('/api/dashboards', { name: 'Pipeline', folderId: folder.id });
    expect(dashboard.projectId).toBe(sales.id);
    const crossed = await refusal('POST', '/api/dashboards', {
      name: 'Crossed',
      folderId: folder.id,
      projectId: defaultProject.id,
    });
    expect(crossed).toMatchObject({ status: 400, field: 'folderId' });
    const subfolder = await refusal('POST', '/api/folders', {
      name: 'Sub',
      parentId: folder.id,
      projectId: defaultProject.id,
    });
    expect(subfolder).toMatchObject({ status: 400, field: 'parentId' });
    expect(
      await refusal('POST', '/api/charts', {
        name: 'c',
        projectId: 0,
        query: query(source.uuid),
        visualization: { type: 'table' },
      }),
    ).toMatchObject({ status: 400, field: 'projectId' });

    const chart = await created('/api/charts', {
      name: 'By country',
      projectId: sales.id,
      query: query(source.uuid),
      visualization: { type: 'bar' },
    });
    expect(chart.projectId).toBe(sales.id);
    const elsewhere = await created('/api/dashboards', { name: 'Default board' });
    expect(elsewhere.projectId).toBe(defaultProject.id);
    // A tile shows a chart of the dashboard's own project.
    const tile = await refusal('PATCH', `/api/dashboards/${elsewhere.id}`, {
      widgets: [{ chartId: chart.id }],
    });
    expect(tile).toMatchObject({ status: 400, field: 'widgets[0].chartId' });
    const shown = await app.request('PATCH', `/api/dashboards/${dashboard.id}`, {
      widgets: [{ chartId: chart.id }],
    });
    expect(shown.status).toBe(200);

    const model = await created('/api/models', {
      name: 'Sales model',
      projectId: sales.id,
      connectionId: source.connectionId,
      baseTable: 'sales',
      tables: [{ name: 'sales', dataSource: source.uuid }],
    });
    expect(model.projectId).toBe(sales.id);
    const schedule = (
      await created('/api/schedules', {
        name: 'Morning pipeline',
        cron: '0 8 * * *',
        target: { dashboard: dashboard.id },
        destination: { type: 'email', recipients: ['team@example.test'] },
      })
    ).schedule;
    expect(schedule.projectId).toBe(sales.id);
    const mismatched = await refusal('POST', '/api/schedules', {
      name: 'Wrong project',
      cron: '0 8 * * *',
      projectId: defaultProject.id,
      target: { dashboard: dashboard.id },
      destination: { type: 'email', recipients: ['team@example.test'] },
    });
    expect(mismatched).toMatchObject({ status: 400, field: 'projectId' });

    for (const [list, id] of [
      ['dashboards', dashboard.id],
      ['charts', chart.id],
      ['folders', folder.id],
      ['models', model.id],
      ['schedules', schedule.id],
    ] as const) {
      expect(await idsOf(`/api/${list}?project=${sales.id}`), list).toEqual([id]);
      expect(await idsOf(`/api/${list}?project=${defaultProject.id}`), list).not.toContain(id);
      expect(await refusal('GET', `/api/${list}?project=sales`), list).toMatchObject({
        status: 400,
        field: 'project',
      });
    }

    // A project that holds anything stays, and says what it holds.
    const held = await refusal('DELETE', `/api/projects/${sales.id}`);
    expect(held.status).toBe(409);
    expect(held.message).toMatch(/1 model, 1 folder, 1 dashboard, 1 chart, 1 schedule/);
  });

  it('moves items between projects without leaving anything in a folder of another project', async () => {
    const ops = await created('/api/projects', { name: 'Operations' });
    const folder = await created('/api/folders', { name: 'Ops folder', projectId: ops.id });
    const chart = await created('/api/charts', {
      name: 'Ops chart',
      folderId: folder.id,
      query: query(source.uuid),
      visualization: { type: 'table' },
    });
    const dashboard = await created('/api/dashboards', { name: 'Ops board', folderId: folder.id });
    const schedule = (
      await created('/api/schedules', {
        name: 'Ops delivery',
        cron: '0 8 * * *',
        target: { dashboard: dashboard.id },
        destination: { type: 'email', recipients: ['ops@example.test'] },
      })
    ).schedule;

    // A folder with content does not change project.
    expect(
      await refusal('PATCH', `/api/folders/${folder.id}`, { projectId: defaultProject.id }),
    ).toMatchObject({
      status: 409,
      field: 'projectId',
    });
    // Into a folder of another project: refused; to the other project alone: its top level.
    expect(
      await refusal('PATCH', `/api/dashboards/${dashboard.id}`, {
        projectId: defaultProject.id,
        folderId: folder.id,
      }),
    ).toMatchObject({ status: 400, field: 'folderId' });
    const moved = await app.request('PATCH', `/api/dashboards/${dashboard.id}`, {
      projectId: defaultProject.id,
    });
    expect(moved.body).toMatchObject({ projectId: defaultProject.id, folderId: null });
    // Its schedule followed it.
    const followed = await app.request('GET', `/api/schedules/${schedule.id}`);
    expect(followed.body.schedule.projectId).toBe(defaultProject.id);

    // A dashboard moves only with charts of the destination; a chart shown on one does not move.
    await app.request('PATCH', `/api/dashboards/${dashboard.id}`, { projectId: ops.id, folderId: folder.id });
    await app.request('PATCH', `/api/dashboards/${dashboard.id}`, { widgets: [{ chartId: chart.id }] });
    expect(
      await refusal('PATCH', `/api/dashboards/${dashboard.id}`, { projectId: defaultProject.id }),
    ).toMatchObject({
      status: 400,
      field: 'projectId',
    });
    expect(await refusal('PATCH', `/api/charts/${chart.id}`, { projectId: defaultProject.id })).toMatchObject(
      {
        status: 409,
        field: 'projectId',
      },
    );
    await app.request('PATCH', `/api/dashboards/${dashboard.id}`, { widgets: [] });
    const chartMoved = await app.request('PATCH', `/api/charts/${chart.id}`, {
      projectId: defaultProject.id,
    });
    expect(chartMoved.body).toMatchObject({ projectId: defaultProject.id, folderId: null });

    // Emptied (the trash included), the folder moves, to the top level of its new project.
    await app.request('DELETE', `/api/dashboards/${dashboard.id}`);
    expect(
      (await refusal('PATCH', `/api/folders/${folder.id}`, { projectId: defaultProject.id })).status,
    ).toBe(409);
    await app.request('DELETE', `/api/trash/dashboard/${dashboard.id}`);
    await app.request('DELETE', `/api/schedules/${schedule.id}`);
    const folderMoved = await app.request('PATCH', `/api/folders/${folder.id}`, {
      projectId: defaultProject.id,
    });
    expect(folderMoved.body).toMatchObject({ projectId: defaultProject.id, parentId: null });
    expect((await app.request('DELETE', `/api/projects/${ops.id}`)).status).toBe(204);
  });
});
