import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

/** The composition root tombstones a purged object's external ids (core/ids/service.ts). */
describe('external ids of purged objects', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ demo: false });
  });
  afterAll(() => app.close());

  it('stop resolving once the source is purged from the trash', async () => {
    const created = await app.request('POST', '/api/data-sources', {
      type: 'storage',
      name: 'orders',
      columns: [{ name: 'amount', type: 'number' }],
    });
    expect(created.status).toBe(201);
    const { id, organizationId } = created.body;
    const { externalIds } = app.rosetta.services;
    const oid = await externalIds.idOf(organizationId, 'data_source', id, 'hex24');

    expect((await app.request('DELETE', `/api/data-sources/${id}`)).status).toBe(204);
    // In the trash it may come back, so it keeps answering to its oid.
    expect(await externalIds.resolve(organizationId, 'data_source', 'hex24', oid)).toBe(id);

    expect((await app.request('DELETE', `/api/trash/data_source/${id}`)).status).toBe(204);
    expect(await externalIds.resolve(organizationId, 'data_source', 'hex24', oid)).toBeUndefined();
  });

  it('stop resolving once a dashboard is purged from the trash, or a folder, group, project or schedule is deleted', async () => {
    const { externalIds } = app.rosetta.services;
    const created = async (path: string, name: string) => {
      const answer = await app.request('POST', path, { name });
      expect(answer.status).toBe(201);
      return answer.body as { id: number; organizationId: number };
    };
    const dashboard = await created('/api/dashboards', 'Weekly');
    const { organizationId } = dashboard;
    const dashboardOid = await externalIds.idOf(organizationId, 'dashboard', dashboard.id, 'hex24');
    expect((await app.request('DELETE', `/api/dashboards/${dashboard.id}`)).status).toBe(204);
    expect(await externalIds.resolve(organizationId, 'dashboard', 'hex24', dashboardOid)).toBe(dashboard.id);
    expect((await app.request('DELETE', `/api/trash/dashboard/${dashboard.id}`)).status).toBe(204);
    expect(await externalIds.resolve(organizationId, 'dashboard', 'hex24', dashboardOid)).toBeUndefined();

    for (const [kind, path] of [
      ['folder', '/api/folders'],
      ['group', '/api/groups'],
      ['project', '/api/projects'],
    ] as const) {
      const object = await created(path, `Doomed ${kind}`);
      const oid = await externalIds.idOf(organizationId, kind, object.id, 'hex24');
      expect(await externalIds.resolve(organizationId, kind, 'hex24', oid)).toBe(object.id);
      expect((await app.request('DELETE', `${path}/${object.id}`)).status).toBe(204);
      expect(await externalIds.resolve(organizationId, kind, 'hex24', oid), kind).toBeUndefined();
    }

    const target = await created('/api/dashboards', 'Delivered');
    const schedule = await app.request('POST', '/api/schedules', {
      name: 'Monday',
      cron: '0 8 * * 1',
      timezone: 'UTC',
      target: { dashboard: target.id },
      format: 'pdf',
      destination: { type: 'email', recipients: ['team@example.test'] },
    });
    expect(schedule.status).toBe(201);
    const scheduleId = schedule.body.schedule.id;
    const scheduleOid = await externalIds.idOf(organizationId, 'schedule', scheduleId, 'hex24');
    expect((await app.request('DELETE', `/api/schedules/${scheduleId}`)).status).toBe(204);
    expect(await externalIds.resolve(organizationId, 'schedule', 'hex24', scheduleOid)).toBeUndefined();
  });
});
