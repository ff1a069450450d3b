import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

let app: TestApp;
let viewerToken: string;
let viewerOid: string;
let strangerOid: string;

const PASSWORD = 'a-long-password-1';

async function createUser(email: string, role: string): Promise<string> {
  const created = await app.request('POST', '/api/users', { email, role, password: PASSWORD });
  expect(created.status).toBe(201);
  const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
  return app.rosetta.services.externalIds.idOf(admin.organizationId, 'user', created.body.id, 'hex24');
}

beforeAll(async () => {
  app = await startTestApp();
  viewerOid = await createUser('f-viewer@example.test', 'viewer');
  strangerOid = await createUser('f-stranger@example.test', 'viewer');
  viewerToken = await sisenseLogin(app, 'f-viewer@example.test', PASSWORD);
}, 120_000);
afterAll(() => app.close());

describe('Sisense face: folders', () => {
  it('creates nested folders, lists them flat or as a tree, and walks subtree and ancestors', async () => {
    const top = await sx(app, 'POST', '/api/v1/folders', { name: 'Finance' });
    expect(top.status, top.text).toBe(201);
    expect(top.body).toMatchObject({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'Finance',
      parentId: null,
    });
    const child = await sx(app, 'POST', '/api/v1/folders', { name: 'Budgets', parentId: top.body._id });
    const grandchild = await sx(app, 'POST', '/api/v1/folders', { name: '2026', parentId: child.body._id });
    expect(grandchild.body.parentId).toBe(child.body._id);

    const flat = await sx(app, 'GET', '/api/v1/folders?name=budgets');
    expect(flat.body).toEqual([expect.objectContaining({ _id: child.body._id, parentId: top.body._id })]);
    const tree = await sx(app, 'GET', '/api/v1/folders?structure=tree');
    const finance = tree.body.find((f: { _id: string }) => f._id === top.body._id);
    expect(finance.folders[0]).toMatchObject({ name: 'Budgets', folders: [{ name: '2026', folders: [] }] });
    const subtree = await sx(app, 'GET', `/api/v1/folders/${child.body._id}/subtree`);
    expect(subtree.body).toMatchObject({ name: 'Budgets', folders: [{ _id: grandchild.body._id }] });
    const ancestors = await sx(app, 'GET', `/api/v1/folders/${grandchild.body._id}/ancestors`);
    expect(ancestors.body.map((f: { name: string }) => f.name)).toEqual(['Finance', 'Budgets']);
    const one = await sx(app, 'GET', `/api/v1/folders/${top.body._id}`);
    expect(one.body.name).toBe('Finance');
    const native = await app.request('GET', '/api/folders');
    expect(JSON.stringify(native.body)).toContain('Budgets');
  });

  it('renames and moves a folder, files dashboards in it, and deletes it', async () => {
    const a = (await sx(app, 'POST', '/api/v1/folders', { name: 'A' })).body;
    const b = (await sx(app, 'POST', '/api/v1/folders', { name: 'B' })).body;
    const moved = await sx(app, 'PATCH', `/api/v1/folders/${b._id}`, { name: 'B2', parentId: a._id });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ name: 'B2', parentId: a._id });
    const filed = await sx(app, 'POST', '/api/v1/dashboards', { title: 'Filed', parentFolder: b._id });
    expect(filed.status).toBe(201);
    const inFolder = await sx(app, 'GET', `/api/v1/dashboards?parentFolder=${b._id}`);
    expect(inFolder.body.map((d: { title: string }) => d.title)).toEqual(['Filed']);
    // Sisense deletes a folder with what it holds (an admin here).
    expect((await sx(app, 'DELETE', `/api/v1/folders/${a._id}`)).status).toBe(204);
    expect((await sx(app, 'GET', `/api/v1/folders/${b._id}`)).status).toBe(404);
    expect((await sx(app, 'GET', `/api/v1/dashboards/${filed.body._id}`)).status).toBe(404);
  });

  it('refuses viewers and bad input', async () => {
    expect((await sx(app, 'POST', '/api/v1/folders', { name: 'Mine' }, { token: viewerToken })).status).toBe(
      403,
    );
    const noName = await sx(app, 'POST', '/api/v1/folders', {});
    expect(sisenseError(noName)).toMatchObject({ status: 400, field: 'name' });
    const badParent = await sx(app, 'POST', '/api/v1/folders', { name: 'x', parentId: 'nope' });
    expect(sisenseError(badParent)).toMatchObject({ status: 400, field: 'parentId' });
    const unknownParent = await sx(app, 'POST', '/api/v1/folders', { name: 'x', parentId: 'c'.repeat(24) });
    expect(unknownParent.status).toBe(404);
    const badStructure = await sx(app, 'GET', '/api/v1/folders?structure=graph');
    expect(sisenseError(badStructure)).toMatchObject({ status: 400, field: 'structure' });
  });
});

describe('Sisense face: reporting', () => {
  it('emails a dashboard report to a user it is shared with, and refuses others', async () => {
    const board = await sx(app, 'POST', '/api/v1/dashboards', { title: 'Weekly report' });
    await sx(app, 'POST', `/api/shares/dashboard/${board.body._id}`, {
      sharesTo: [{ shareId: viewerOid, type: 'user', rule: 'view' }],
    });
    const notShared = await sx(app, 'POST', '/api/v1/reporting', {
      assetId: board.body._id,
      assetType: 'dashboard',
      recipients: [{ type: 'user', recipient: strangerOid }],
    });
    expect(sisenseError(notShared)).toMatchObject({ status: 400, field: 'recipients[0].recipient' });
    const noRecipients = await sx(app, 'POST', '/api/v1/reporting', {
      assetId: board.body._id,
      recipients: [],
    });
    expect(sisenseError(noRecipients)).toMatchObject({ status: 400, field: 'recipients' });
    const viewerSends = await sx(
      app,
      'POST',
      '/api/v1/reporting',
      { assetId: board.body._id },
      { token: viewerToken },
    );
    expect(viewerSends.status).toBe(403);

    const sent = await sx(app, 'POST', '/api/v1/reporting', {
      assetId: board.body._id,
      assetType: 'dashboard',
      recipients: [{ type: 'user', recipient: viewerOid }],
      preferences: { inline: true },
    });
    expect(sent.status, sent.text).toBe(204);
    let messages: Array<{ to: string[] | string; subject: string }> = [];
    for (let attempt = 0; attempt < 100 && messages.length === 0; attempt++) {
      const outbox = await app.request('GET', '/api/outbox');
      messages = (outbox.body.items ?? []).filter((m: { subject: string }) =>
        m.subject?.includes('Weekly report'),
      );
      if (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(JSON.stringify(messages[0])).toContain('f-viewer@example.test');
  }, 60_000);
});
