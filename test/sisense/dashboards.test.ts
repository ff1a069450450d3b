import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

let app: TestApp;
let editorToken: string;
let viewerToken: string;
let editorOid: string;
let viewerOid: string;

const PASSWORD = 'a-long-password-1';
const demoSource = { title: 'demo_sales', fullname: 'LocalHost/demo_sales', live: false };
const barWidget = {
  title: 'Quantity by country',
  type: 'chart/column',
  subtype: 'column/classic',
  metadata: {
    panels: [
      { name: 'categories', items: [{ jaql: { dim: '[demo_sales.country]', datatype: 'text' } }] },
      { name: 'values', items: [{ jaql: { dim: '[demo_sales.quantity]', agg: 'sum', title: 'Units' } }] },
      { name: 'filters', items: [] },
    ],
  },
};

async function createUser(email: string, role: string): Promise<string> {
  const created = await app.request('POST', '/api/users', { email, role, password: PASSWORD });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
  return app.rosetta.services.externalIds.idOf(admin.organizationId, 'user', created.body.id, 'hex24');
}

async function newDashboard(title: string, extra: Record<string, unknown> = {}, token?: string) {
  const created = await sx(
    app,
    'POST',
    '/api/v1/dashboards',
    { title, datasource: demoSource, ...extra },
    { token },
  );
  expect(created.status, created.text).toBe(201);
  return created.body;
}

/** The dashboard as the native API reads it (by the oid's internal id). */
async function native(oid: string) {
  const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
  const id = await app.rosetta.services.externalIds.resolve(admin.organizationId, 'dashboard', 'hex24', oid);
  return (await app.request('GET', `/api/dashboards/${id}`)).body;
}

beforeAll(async () => {
  app = await startTestApp();
  editorOid = await createUser('dash-editor@example.test', 'editor');
  viewerOid = await createUser('dash-viewer@example.test', 'viewer');
  editorToken = await sisenseLogin(app, 'dash-editor@example.test', PASSWORD);
  viewerToken = await sisenseLogin(app, 'dash-viewer@example.test', PASSWORD);
}, 120_000);
afterAll(() => app.close());

describe('Sisense face: dashboards', () => {
  it('creates a dashboard with widgets, stored as Rosetta content and read back in Sisense shape', async () => {
    const created = await newDashboard('Sales board', {
      desc: 'Q1',
      widgets: [barWidget],
      style: { palette: 'x' },
    });
    expect(created).toMatchObject({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      title: 'Sales board',
      desc: 'Q1',
      parentFolder: null,
      datasource: { title: 'demo_sales', fullname: 'LocalHost/demo_sales', address: 'LocalHost' },
      style: { palette: 'x' },
      widgets: [{ title: 'Quantity by country', type: 'chart/column', subtype: 'column/classic' }],
    });
    expect(created.oid).toBe(created._id);
    const stored = await native(created._id);
    expect(stored.name).toBe('Sales board');
    expect(stored.widgets[0]).toMatchObject({
      title: 'Quantity by country',
      visualization: { type: 'bar' },
      query: {
        dimensions: [{ field: expect.stringContaining('country') }],
        metrics: [{ aggregation: 'sum' }],
      },
    });
    const read = await sx(app, 'GET', `/api/v1/dashboards/${created._id}?expand=widgets`);
    expect(read.status).toBe(200);
    expect(read.body.widgets[0]._id).toBe(created.widgets[0]._id);
    expect(read.body.layout.columns[0].cells[0].subcells[0].elements[0].widgetid).toBe(
      created.widgets[0]._id,
    );
  });

  it('maps JAQL dashboard filters onto Rosetta dashboard filters, both ways', async () => {
    const created = await newDashboard('Filtered', {
      filters: [
        {
          jaql: {
            dim: '[demo_sales.country]',
            datatype: 'text',
            title: 'Country',
            filter: { members: ['France'] },
          },
        },
        {
          jaql: {
            dim: '[demo_sales.date]',
            datatype: 'datetime',
            filter: { from: '2024-01-01T00:00:00', to: '2024-06-30T00:00:00' },
          },
        },
      ],
    });
    expect(created.filters[0]).toMatchObject({ instanceid: expect.any(String), jaql: { title: 'Country' } });
    const stored = await native(created._id);
    expect(stored.filters).toEqual([
      expect.objectContaining({
        id: created.filters[0].instanceid,
        label: 'Country',
        type: 'values',
        default: ['France'],
      }),
      expect.objectContaining({ type: 'date_range', default: { from: '2024-01-01', to: '2024-06-30' } }),
    ]);
    // Filters changed elsewhere are shown from Rosetta's definition.
    const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
    await app.rosetta.services.content.dashboards.update(admin, stored.id, { filters: [stored.filters[0]] });
    const read = await sx(app, 'GET', `/api/v1/dashboards/${created._id}`);
    expect(read.body.filters).toEqual([
      {
        instanceid: stored.filters[0].id,
        jaql: expect.objectContaining({ dim: '[demo_sales.country]', filter: { members: ['France'] } }),
      },
    ]);
    const badDim = await sx(app, 'PATCH', `/api/v1/dashboards/${created._id}`, {
      filters: [{ jaql: { dim: '[demo_sales.nope]' } }],
    });
    expect(sisenseError(badDim)).toMatchObject({ status: 400, field: 'filters[0].jaql.dim' });
  });

  it('refuses bad bodies with a 400 naming the field, and unknown ids with 404', async () => {
    const noTitle = await sx(app, 'POST', '/api/v1/dashboards', { desc: 'x' });
    expect(noTitle.status).toBe(400);
    expect(sisenseError(noTitle)).toMatchObject({ status: 400, field: 'title' });
    const badFolder = await sx(app, 'POST', '/api/v1/dashboards', { title: 'x', parentFolder: 'nope' });
    expect(sisenseError(badFolder)).toMatchObject({ status: 400, field: 'parentFolder' });
    const badDim = await sx(app, 'POST', '/api/v1/dashboards', {
      title: 'x',
      datasource: demoSource,
      widgets: [
        {
          ...barWidget,
          metadata: { panels: [{ name: 'values', items: [{ jaql: { dim: '[demo_sales.nope]' } }] }] },
        },
      ],
    });
    expect(badDim.status).toBe(400);
    expect(sisenseError(badDim)).toMatchObject({ field: 'widgets[0].metadata.panels[0].items[0].jaql.dim' });
    const missing = await sx(app, 'GET', `/api/v1/dashboards/${'a'.repeat(24)}`);
    expect(missing.status).toBe(404);
    const malformed = await sx(app, 'GET', '/api/v1/dashboards/xyz');
    expect(sisenseError(malformed)).toMatchObject({ status: 400, field: 'id' });
    const badExpand = await sx(app, 'GET', '/api/v1/dashboards?expand=owner');
    expect(sisenseError(badExpand)).toMatchObject({ status: 400, field: 'expand' });
  });

  it('lists the caller’s dashboards with filters, fields and paging', async () => {
    await newDashboard('Filter me');
    const byName = await sx(app, 'GET', '/api/v1/dashboards?name=Filter%20me&fields=title,datasource');
    expect(byName.status).toBe(200);
    expect(byName.body).toEqual([
      {
        _id: expect.any(String),
        title: 'Filter me',
        datasource: expect.objectContaining({ title: 'demo_sales' }),
      },
    ]);
    const bySource = await sx(
      app,
      'GET',
      '/api/v1/dashboards?datasourceTitle=demo_sales&sort=-title&limit=1',
    );
    expect(bySource.body).toHaveLength(1);
    const none = await sx(app, 'GET', '/api/v1/dashboards?datasourceTitle=nothing');
    expect(none.body).toEqual([]);
  });

  it('updates with PATCH, sharing with a viewer who then lists and reads it but cannot change it', async () => {
    const board = await newDashboard('Shared board');
    const before = await sx(app, 'GET', '/api/v1/dashboards?name=Shared%20board', undefined, {
      token: viewerToken,
    });
    expect(before.body).toEqual([]);
    const patched = await sx(app, 'PATCH', `/api/v1/dashboards/${board._id}`, {
      title: 'Shared board',
      desc: 'now shared',
      shares: [{ shareId: viewerOid, type: 'user', rule: 'view', subscribe: false }],
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      desc: 'now shared',
      shares: [{ shareId: viewerOid, type: 'user', rule: 'view' }],
    });
    expect((await native(board._id)).shares).toEqual([
      { subject: 'user', id: expect.any(Number), level: 'view' },
    ]);
    const listed = await sx(app, 'GET', '/api/v1/dashboards?name=Shared%20board', undefined, {
      token: viewerToken,
    });
    expect(listed.body.map((d: { _id: string }) => d._id)).toEqual([board._id]);
    const read = await sx(app, 'GET', `/api/v1/dashboards/${board._id}`, undefined, { token: viewerToken });
    expect(read.status).toBe(200);
    const refused = await sx(
      app,
      'PATCH',
      `/api/v1/dashboards/${board._id}`,
      { title: 'mine' },
      { token: viewerToken },
    );
    expect(refused.status).toBe(403);
    const badShare = await sx(app, 'PATCH', `/api/v1/dashboards/${board._id}`, {
      shares: [{ shareId: viewerOid, type: 'user', rule: 'own' }],
    });
    expect(sisenseError(badShare)).toMatchObject({ status: 400, field: 'shares[0].rule' });
  });

  it('sets shares through /api/shares/dashboard and lists them expanded', async () => {
    const board = await newDashboard('Share route');
    const set = await sx(app, 'POST', `/api/shares/dashboard/${board._id}`, {
      sharesTo: [{ shareId: editorOid, type: 'user', rule: 'edit', subscribe: false }],
    });
    expect(set.status, set.text).toBe(200);
    const shares = await sx(app, 'GET', `/api/v1/dashboards/${board._id}/shares?expand=user`);
    expect(shares.body).toEqual([
      expect.objectContaining({
        shareId: editorOid,
        type: 'user',
        rule: 'edit',
        user: expect.objectContaining({ email: 'dash-editor@example.test' }),
      }),
    ]);
    const editorPatch = await sx(
      app,
      'PATCH',
      `/api/v1/dashboards/${board._id}`,
      { desc: 'by editor' },
      { token: editorToken },
    );
    expect(editorPatch.status).toBe(200);
    const badExpand = await sx(app, 'GET', `/api/v1/dashboards/${board._id}/shares?expand=owner`);
    expect(badExpand.status).toBe(404);
    const noList = await sx(app, 'POST', `/api/shares/dashboard/${board._id}`, {});
    expect(sisenseError(noList)).toMatchObject({ status: 400, field: 'sharesTo' });
    const unknownUser = await sx(app, 'POST', `/api/shares/dashboard/${board._id}`, {
      sharesTo: [{ shareId: 'b'.repeat(24), type: 'user', rule: 'view' }],
    });
    expect(sisenseError(unknownUser)).toMatchObject({ status: 400, field: 'sharesTo[0].shareId' });
  });

  it('keeps the admin listing to admins', async () => {
    expect((await sx(app, 'GET', '/api/v1/dashboards/admin', undefined, { token: viewerToken })).status).toBe(
      403,
    );
    const all = await sx(app, 'GET', '/api/v1/dashboards/admin?name=Demo%20sales');
    expect(all.status).toBe(200);
    expect(all.body).toHaveLength(1);
  });

  it('publishes, then restores the published version over later changes', async () => {
    const board = await newDashboard('Publish me');
    const neverPublished = await sx(app, 'POST', `/api/v1/dashboards/${board._id}/restore`);
    expect(neverPublished.status).toBe(400);
    expect((await sx(app, 'POST', `/api/v1/dashboards/${board._id}/publish`)).status).toBe(204);
    await sx(app, 'PATCH', `/api/v1/dashboards/${board._id}`, { title: 'Local change' });
    expect((await native(board._id)).name).toBe('Local change');
    expect((await sx(app, 'POST', `/api/v1/dashboards/${board._id}/restore`)).status).toBe(204);
    expect((await native(board._id)).name).toBe('Publish me');
    const viewerPublish = await sx(app, 'POST', `/api/v1/dashboards/${board._id}/publish`, undefined, {
      token: viewerToken,
    });
    expect(viewerPublish.status).toBe(403);
  });

  it('duplicates (201) with its widgets and hands ownership over', async () => {
    const board = await newDashboard('Original', { widgets: [barWidget] }, editorToken);
    const copy = await sx(app, 'POST', `/api/v1/dashboards/${board._id}/duplicate`, undefined, {
      token: editorToken,
    });
    expect(copy.status, copy.text).toBe(201);
    expect(copy.body._id).not.toBe(board._id);
    const copied = await sx(app, 'GET', `/api/v1/dashboards/${copy.body._id}?expand=widgets`, undefined, {
      token: editorToken,
    });
    expect(copied.body.widgets).toEqual([
      expect.objectContaining({ title: 'Quantity by country', type: 'chart/column' }),
    ]);

    const refused = await sx(
      app,
      'POST',
      `/api/v1/dashboards/${board._id}/change_owner`,
      { ownerId: viewerOid },
      { token: viewerToken },
    );
    expect(refused.status).toBe(403);
    const badOwner = await sx(
      app,
      'POST',
      `/api/v1/dashboards/${board._id}/change_owner`,
      { ownerId: 'x' },
      { token: editorToken },
    );
    expect(sisenseError(badOwner)).toMatchObject({ status: 400, field: 'ownerId' });
    const adminOid = (await sx(app, 'GET', `/api/v1/dashboards/admin?name=Demo%20sales`)).body[0].owner;
    const changed = await sx(
      app,
      'POST',
      `/api/v1/dashboards/${board._id}/change_owner`,
      { ownerId: adminOid, originalOwnerRule: 'view' },
      { token: editorToken },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ owner: adminOid, shares: [{ shareId: editorOid, rule: 'view' }] });
    const editorNow = await sx(
      app,
      'PATCH',
      `/api/v1/dashboards/${board._id}`,
      { desc: 'x' },
      { token: editorToken },
    );
    expect(editorNow.status).toBe(403);
  });

  it('exports .dash files and imports them: new, skipped, overwritten and undone', async () => {
    const board = await newDashboard('Portable', { widgets: [barWidget] });
    const dash = await sx(app, 'GET', `/api/v1/dashboards/${board._id}/export/dash`);
    expect(dash.status).toBe(200);
    expect(dash.headers['content-disposition']).toContain('Portable.dash');
    expect(dash.body).toMatchObject({ title: 'Portable', widgets: [{ title: 'Quantity by country' }] });
    const several = await sx(app, 'GET', `/api/v1/dashboards/export?dashboardIds=${board._id}`);
    expect(several.body).toHaveLength(1);

    const imported = await sx(app, 'POST', '/api/v1/dashboards/import?action=duplicate', dash.body);
    expect(imported.status, imported.text).toBe(201);
    expect(imported.body._id).not.toBe(board._id);
    expect(imported.body.widgets).toHaveLength(1);

    const skipped = await sx(app, 'POST', '/api/v1/dashboards/import/bulk', [dash.body]);
    expect(skipped.body).toMatchObject({ succeded: [], skipped: [{ _id: board._id }], failed: [] });
    const overwritten = await sx(app, 'POST', '/api/v1/dashboards/import/bulk?action=overwrite', [
      { ...dash.body, title: 'Portable v2' },
      { title: 'Broken', datasource: { title: 'no such cube' } },
    ]);
    expect(overwritten.body.succeded).toEqual([
      expect.objectContaining({ _id: board._id, title: 'Portable v2' }),
    ]);
    // The widgets the file names keep their ids.
    const widgets = await sx(app, 'GET', `/api/v1/dashboards/${board._id}/widgets`);
    expect(widgets.body.map((w: { _id: string }) => w._id)).toEqual([board.widgets[0]._id]);
    expect(overwritten.body.failed).toEqual([expect.objectContaining({ title: 'Broken' })]);
    expect((await sx(app, 'POST', `/api/v1/dashboards/${board._id}/undo_Import`)).status).toBe(204);
    expect((await native(board._id)).name).toBe('Portable');
    const badAction = await sx(app, 'POST', '/api/v1/dashboards/import/bulk?action=merge', []);
    expect(sisenseError(badAction)).toMatchObject({ status: 400, field: 'action' });
  });

  it('renders a dashboard as PNG and PDF, checking the options', async () => {
    const demo = (await sx(app, 'GET', '/api/v1/dashboards?name=Demo%20sales')).body[0];
    const png = await sx(app, 'GET', `/api/v1/dashboards/${demo._id}/export/png?includeTitle=true&width=800`);
    expect(png.status, png.text.slice(0, 200)).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    const pdf = await sx(app, 'GET', `/api/v1/dashboards/${demo._id}/export/pdf?paperFormat=A4&layout=feed`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const badFlag = await sx(app, 'GET', `/api/v1/dashboards/${demo._id}/export/png?includeTitle=yes`);
    expect(sisenseError(badFlag)).toMatchObject({ status: 400, field: 'includeTitle' });
  }, 120_000);

  it('never answers a hostile body or query with a server error', async () => {
    const board = await newDashboard('Hostile', { widgets: [barWidget] });
    const widget = board.widgets[0]._id;
    const bodies: unknown[] = [
      null,
      7,
      'x',
      [],
      [1],
      { title: 5 },
      { title: 'x', widgets: [null] },
      { widgets: {} },
      { filters: 'x' },
      { datasource: 5 },
      { sharesTo: [{}] },
      { shares: 'x' },
      { metadata: { panels: [{ items: [{ jaql: 1 }] }] } },
      { recipients: [{ type: 'user', recipient: 5 }], assetId: board._id },
      { ownerId: null },
      { name: [], parentId: {} },
    ];
    const routes: Array<[string, string]> = [
      ['POST', '/api/v1/dashboards'],
      ['PATCH', `/api/v1/dashboards/${board._id}`],
      ['POST', `/api/v1/dashboards/${board._id}/widgets`],
      ['PATCH', `/api/v1/dashboards/${board._id}/widgets/${widget}`],
      ['POST', `/api/shares/dashboard/${board._id}`],
      ['POST', `/api/v1/dashboards/${board._id}/change_owner`],
      ['POST', `/api/v1/dashboards/${board._id}/duplicate`],
      ['POST', '/api/v1/dashboards/import'],
      ['POST', '/api/v1/dashboards/import/bulk'],
      ['POST', '/api/v1/folders'],
      ['POST', '/api/v1/reporting'],
    ];
    for (const [method, path] of routes)
      for (const body of bodies) {
        const answer = await sx(app, method, path, body === undefined ? undefined : body);
        expect(answer.status, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`).toBeLessThan(500);
      }
    for (const query of [
      '?limit=-1',
      '?sort=a,b',
      '?fields=-a,b',
      '?expand=widgets,x',
      '?ids=zz',
      '?dashboardIds=1&dashboardIds=2',
    ])
      for (const path of [
        '/api/v1/dashboards',
        '/api/v1/folders',
        `/api/v1/dashboards/${board._id}/widgets`,
        '/api/v1/dashboards/export',
      ]) {
        const answer = await sx(app, 'GET', `${path}${query}`);
        expect(answer.status, `${path}${query}: ${answer.text}`).toBeLessThan(500);
      }
  });

  it('deletes one dashboard, and several at once only when every id exists', async () => {
    const one = await newDashboard('Delete one');
    const two = await newDashboard('Delete two');
    const three = await newDashboard('Delete three');
    expect(
      (await sx(app, 'DELETE', `/api/v1/dashboards/${one._id}`, undefined, { token: viewerToken })).status,
    ).toBe(403);
    expect((await sx(app, 'DELETE', `/api/v1/dashboards/${one._id}`)).status).toBe(200);
    expect((await sx(app, 'GET', `/api/v1/dashboards/${one._id}`)).status).toBe(404);
    const partly = await sx(app, 'DELETE', `/api/v1/dashboards/bulk?dashboardIds=${two._id},${one._id}`);
    expect(partly.status).toBe(404);
    expect((await sx(app, 'GET', `/api/v1/dashboards/${two._id}`)).status).toBe(200);
    const both = await sx(app, 'DELETE', `/api/v1/dashboards/bulk?dashboardIds=${two._id},${three._id}`);
    expect(both.status).toBe(200);
    expect((await sx(app, 'GET', `/api/v1/dashboards/${three._id}`)).status).toBe(404);
    const noIds = await sx(app, 'DELETE', '/api/v1/dashboards/bulk');
    expect(sisenseError(noIds)).toMatchObject({ status: 400, field: 'dashboardIds' });
  });
});
