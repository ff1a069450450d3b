import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lightdashPermissions } from '../../src/http/dialects/lightdash/permissions.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { ld } from './support.ts';

/**
 * Every route of the Lightdash face, called with ids of real objects and with garbage ids, and
 * with bodies a careless or hostile script sends: each answer is a Lightdash envelope, and a
 * failure is a 4xx with a message, never a 500.
 */
let app: TestApp;
const ids: Record<string, string> = {};

const HOSTILE_BODIES: unknown[] = [
  undefined,
  null,
  [],
  'text',
  42,
  {},
  { name: 7, uuid: [], tiles: 'x', filters: 1, metricQuery: null, sql: { $gt: 1 } },
  { name: 'x'.repeat(100_000) },
  [{ name: null }, 3],
];

/** Routes whose success ends the session or removes what later calls need: called last. */
const destructive = (route: string) => route.startsWith('DELETE ') || route.includes('/logout');

function pathOf(route: string, real: boolean): string {
  return route
    .slice(route.indexOf(' ') + 1)
    .replace('/lightdash/api', '')
    .replace(/:(\w+)/g, (_, name: string) =>
      real && ids[name] !== undefined ? ids[name] : encodeURIComponent(`'; drop table users; --${name}`),
    );
}

beforeAll(async () => {
  app = await startTestApp();
  const project = (await ld(app, 'GET', '/v1/org/projects')).body.results[0].projectUuid;
  const space = await ld(app, 'POST', `/v1/projects/${project}/spaces`, { name: 'Fuzz' });
  const chart = await ld(app, 'POST', `/v1/projects/${project}/saved`, {
    name: 'Fuzz chart',
    tableName: 'demo_sales',
    metricQuery: {
      exploreName: 'demo_sales',
      dimensions: ['demo_sales_country'],
      metrics: [],
      filters: {},
      sorts: [],
      limit: 10,
      tableCalculations: [],
    },
    chartConfig: { type: 'table' },
    tableConfig: { columnOrder: [] },
    spaceUuid: space.body.results.uuid,
  });
  const dashboard = await ld(app, 'POST', `/v1/projects/${project}/dashboards`, {
    name: 'Fuzz dashboard',
    spaceUuid: space.body.results.uuid,
    tiles: [],
    tabs: [],
  });
  expect([space.status, chart.status, dashboard.status]).toEqual([200, 200, 201]);
  const user = (await ld(app, 'GET', '/v1/user')).body.results;
  const group = await ld(app, 'POST', '/v1/org/groups', { name: 'Fuzzers' });
  Object.assign(ids, {
    projectUuid: project,
    spaceUuid: space.body.results.uuid,
    chartUuid: chart.body.results.uuid,
    savedChartUuid: chart.body.results.uuid,
    dashboardUuid: dashboard.body.results.uuid,
    userUuid: user.userUuid,
    organizationUuid: user.organizationUuid,
    groupUuid: group.body.results.uuid,
    exploreId: 'demo_sales',
  });
}, 120_000);
afterAll(() => app?.close());

describe('hostile input on every Lightdash route', () => {
  const routes = Object.keys(lightdashPermissions);
  const ordered = [...routes.filter((r) => !destructive(r)), ...routes.filter(destructive)];

  it('answers each call with an envelope and never a 500', async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const route of ordered) {
      const method = route.slice(0, route.indexOf(' '));
      for (const real of [false, true]) {
        const bodies = method === 'GET' || method === 'DELETE' ? [undefined] : HOSTILE_BODIES;
        for (const body of bodies) {
          const path = pathOf(route, real);
          const answer = await ld(app, method, path, body);
          calls += 1;
          const where = `${method} ${path} ${JSON.stringify(body)?.slice(0, 60)} → ${answer.status}`;
          if (answer.status >= 500) failures.push(`${where} ${JSON.stringify(answer.body).slice(0, 200)}`);
          else if (answer.status >= 400) {
            const error = (answer.body as { error?: { message?: unknown; statusCode?: unknown } })?.error;
            if (typeof error?.message !== 'string' || error.statusCode !== answer.status)
              failures.push(
                `${where}: not a Lightdash error envelope ${JSON.stringify(answer.body).slice(0, 200)}`,
              );
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(routes.length * 4);
  }, 600_000);
});
