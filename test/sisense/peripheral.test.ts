import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peripheralRoutes } from '../../src/http/dialects/sisense/peripheral.ts';
import { sisensePermissions } from '../../src/http/dialects/sisense/permissions.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

/**
 * The peripheral endpoints answer as Sisense does without the feature: empty lists, 404 for one
 * such thing, a 400 naming the feature for writes; never a 500, always Sisense's error envelope.
 */

let app: TestApp;
let viewerToken: string;

beforeAll(async () => {
  app = await startTestApp({ demo: false });
  const created = await app.request('POST', '/api/users', {
    email: 'viewer@example.test',
    role: 'viewer',
    password: 'a-long-password-1',
  });
  expect(created.status).toBe(201);
  viewerToken = await sisenseLogin(app, 'viewer@example.test', 'a-long-password-1');
}, 120_000);
afterAll(() => app?.close());

const SAMPLE_PARAMS: Record<string, string> = {
  ':id': 'a'.repeat(24),
  ':key': 'alerting',
  ':type': 'world',
  ':collection': 'dashboards',
  ':service': 'google',
  ':lang': 'en-US',
};
const concrete = (path: string) => path.replace(/:[a-z]+/g, (param) => SAMPLE_PARAMS[param]);

/** What each route answers an admin: a status, and the body where it is not an error. */
const EXPECTED: Record<string, [number, unknown?]> = {
  'GET /custom_data': [200, []],
  'POST /custom_data/query': [200, []],
  'GET /features': [200],
  'PATCH /features/:key/toggle': [400],
  'GET /geo/geoJson/:type': [404],
  'GET /ldap_domains': [200, []],
  'GET /ldap_domains/:id': [404],
  'POST /ldap_domains/:id/sync': [404],
  'PATCH /ldap_domains/:id': [404],
  'DELETE /ldap_domains/bulk': [400],
  'POST /logs/timer': [204],
  'GET /oauth/:service/login_uri': [404],
  'POST /oauth/:service/auth': [404],
  'GET /plugins': [200, []],
  'GET /plugins/get_info': [404],
  'PATCH /plugins': [400],
  'GET /settings/sso': [404],
  'GET /settings/system': [404],
  'GET /settings/globalization': [200, { locale: 'en-US', autoDetect: false }],
  'GET /settings/public_settings': [200],
  'GET /suggestions/status': [404],
  'POST /suggestions': [200, []],
  'GET /translations': [200, ['en-US']],
  'GET /translations/:lang': [200, {}],
};

describe('Sisense peripheral endpoints', () => {
  it.each(peripheralRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s answers as Sisense without the feature',
    async (key, route) => {
      expect(sisensePermissions[`${route.method} /sisense/api/v1${route.path}`]).toBe(route.rule);
      const body = route.method === 'GET' ? undefined : {};
      const answer = await sx(app, route.method, `/api/v1${concrete(route.path)}`, body);
      const [status, expected] = EXPECTED[key] ?? [400];
      expect(answer.status, answer.text).toBe(status);
      if (expected !== undefined) expect(answer.body).toEqual(expected);
      if (status >= 400) {
        expect(sisenseError(answer)).toMatchObject({ status, message: expect.any(String) });
        if (status === 400 && !EXPECTED[key]) expect(sisenseError(answer).message).toMatch(/not available/);
      }
    },
  );

  it('refuses admin writes to a viewer, and lets anyone read the public settings', async () => {
    const ldap = await sx(app, 'POST', '/api/v1/ldap_domains', { name: 'corp' }, { token: viewerToken });
    expect(ldap.status).toBe(403);
    expect(sisenseError(ldap).status).toBe(403);
    expect((await sx(app, 'POST', '/api/v1/settings/sso', {}, { token: viewerToken })).status).toBe(403);
    expect((await sx(app, 'GET', '/api/v1/ldap_domains', undefined, { token: viewerToken })).status).toBe(
      200,
    );
    const open = await sx(app, 'GET', '/api/v1/settings/public_settings', undefined, { token: null });
    expect(open.status).toBe(200);
    expect(open.body.globalization.locale).toBe('en-US');
  });

  it('checks the inputs it reads, naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', '/api/v1/geo/geoJson/mars', undefined, 'type'],
      ['GET', '/api/v1/ldap_domains?limit=many', undefined, 'limit'],
      ['GET', '/api/v1/plugins?desc=maybe', undefined, 'desc'],
      ['PATCH', '/api/v1/plugins', { name: 'x' }, 'plugins'],
      ['POST', '/api/v1/suggestions', { type: 'dashboards' }, 'type'],
      ['POST', '/api/v1/custom_data/query', [1], 'query'],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await sx(app, method, path, body);
      expect(answer.status, `${method} ${path}: ${answer.text}`).toBe(400);
      expect(sisenseError(answer).message).toContain(field);
    }
    const bulk = await sx(app, 'DELETE', `/api/v1/ldap_domains/bulk?id=${'a'.repeat(24)}`);
    expect(bulk.status).toBe(404);
    expect((await sx(app, 'GET', '/api/v1/translations/fr-FR')).status).toBe(404);
    expect((await sx(app, 'PATCH', '/api/v1/features/nothing/toggle', {})).status).toBe(404);
  });
});
