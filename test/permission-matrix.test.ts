import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holisticsPermissions } from '../src/http/dialects/holistics/permissions.ts';
import { lightdashPermissions } from '../src/http/dialects/lightdash/permissions.ts';
import { serenyticsPermissions } from '../src/http/dialects/serenytics/permissions.ts';
import { sisensePermissions } from '../src/http/dialects/sisense/permissions.ts';
import type { RoutePermissions, RouteRule } from '../src/http/kit/route-permissions.ts';
import { nativePermissions } from '../src/http/native/permissions.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from './support/app.ts';

/**
 * The permission matrix: every route of every face × every kind of principal, on the real server.
 * Expectations come from the documented role table below (the README's "Roles and permissions"),
 * written out again here on purpose: a change of the code's table that the documentation does
 * not follow fails this test, and so does a route that takes an action other than its row says.
 */

type Role = 'viewer' | 'interactive_viewer' | 'editor' | 'developer' | 'admin';
type Kind = 'session' | 'apiKey' | 'script' | 'dataKey' | 'embed';

const ROLES: Role[] = ['viewer', 'interactive_viewer', 'editor', 'developer', 'admin'];
const asUser: Kind[] = ['session', 'apiKey', 'script'];
const personal: Kind[] = ['session', 'apiKey'];
const reader: Kind[] = [...asUser, 'dataKey'];

/** The README's table: action → least role, the credentials that may carry it, and its label. */
const DOCUMENTED: Record<string, [Role, Kind[], string]> = {
  'dashboard.view': ['viewer', [...asUser, 'embed'], 'view dashboards'],
  'dashboard.run': ['viewer', [...asUser, 'embed'], "run a dashboard's widgets"],
  'dashboard.export': ['viewer', asUser, 'export dashboards'],
  'job.own': ['viewer', asUser, 'follow jobs'],
  'directory.read': ['viewer', asUser, 'list users and groups'],
  'project.read': ['viewer', asUser, 'list projects'],
  'profile.edit': ['viewer', personal, 'change your name, password or timezone'],
  'apikey.own': ['viewer', personal, 'manage your API keys'],
  'apikey.personal': ['viewer', ['session'], 'manage personal access tokens'],
  'favourite.manage': ['viewer', personal, 'keep favourites'],
  'source.read': ['viewer', reader, 'read data sources'],
  'model.read': ['viewer', reader, 'read models'],
  'query.adhoc': ['interactive_viewer', reader, 'run ad-hoc queries'],
  'comment.create': ['interactive_viewer', asUser, 'comment on dashboards'],
  'dashboard.edit': ['editor', asUser, 'create or change dashboards and folders'],
  'embed.create': ['editor', asUser, 'create or revoke embed links'],
  'source.write': ['editor', asUser, 'push data into storage sources'],
  'schedule.manage': ['editor', asUser, 'manage schedules and alerts'],
  'email.send': ['editor', asUser, 'send emails'],
  'script.read': ['editor', asUser, 'read scripts'],
  'source.manage': ['developer', asUser, 'create, change or delete data sources'],
  'model.manage': ['developer', asUser, 'create, change or delete models'],
  'connection.read': ['developer', asUser, 'read, test or browse connections'],
  'sql.run': ['developer', asUser, 'run SQL on connections'],
  'cache.invalidate': ['developer', asUser, 'invalidate the query cache'],
  'script.manage': ['developer', asUser, 'create, change or delete scripts'],
  'script.run': ['developer', asUser, 'run scripts'],
  'connection.manage': ['admin', asUser, 'create, change or delete connections'],
  'directory.manage': ['admin', asUser, 'manage users, groups and attributes'],
  'organization.manage': ['admin', asUser, 'rename the organization'],
  'project.manage': ['admin', asUser, 'create, rename or delete projects'],
  'project.access': ['admin', asUser, 'manage who may use a project'],
  'outbox.read': ['admin', asUser, 'read the outbox'],
  'outbox.resend': ['admin', asUser, 'resend emails from the outbox'],
  'audit.read': ['admin', asUser, 'read the audit log'],
  'job.all': ['admin', asUser, "follow other users' jobs"],
  'content.admin': ['admin', asUser, 'manage every folder and dashboard'],
  'apikey.all': ['admin', personal, "manage other users' API keys"],
};

interface Caller {
  name: string;
  kind: Kind | 'anonymous';
  role: Role;
  secret: string;
}

/** The faces and the credentials each takes: one table of routes per face. */
const FACES: { name: string; prefix: string; table: RoutePermissions; takes: Kind[] }[] = [
  { name: 'native', prefix: '/api', table: nativePermissions, takes: [...reader, 'embed'] },
  {
    name: 'Serenytics',
    prefix: '/serenytics/api',
    table: serenyticsPermissions,
    takes: [...reader, 'embed'],
  },
  {
    name: 'Serenytics data API',
    prefix: '/serenytics/data-api',
    table: serenyticsPermissions,
    takes: reader,
  },
  // `Authorization: Bearer` (or `ApiKey`) takes every secret; embeds have no way in.
  { name: 'Lightdash', prefix: '/lightdash/api', table: lightdashPermissions, takes: reader },
  // `X-Holistics-Key` takes every secret; embeds have no way in.
  { name: 'Holistics', prefix: '/holistics/api', table: holisticsPermissions, takes: reader },
  // `Authorization: Bearer` takes every secret; embeds have no way in.
  { name: 'Sisense', prefix: '/sisense', table: sisensePermissions, takes: reader },
];
const ROOT = new Set(['GET /health', 'GET /health/ready', 'GET /metrics', 'GET /', 'GET /*']);

const faceOf = (url: string) => FACES.find((face) => url.startsWith(`${face.prefix}/`));

const allowed = (rule: RouteRule, caller: Caller, face: (typeof FACES)[number]): boolean => {
  if (rule === 'public') return true;
  if (caller.kind === 'anonymous' || !face.takes.includes(caller.kind)) return false;
  const [role, kinds] = DOCUMENTED[typeof rule === 'object' ? rule.orOwnToken : rule];
  return kinds.includes(caller.kind) && ROLES.indexOf(caller.role) >= ROLES.indexOf(role);
};

const concrete = (url: string) =>
  url
    .replace(/:uuid/g, '00000000-0000-4000-8000-000000000000')
    .replace(/:(id|userId|user_id|version)\b/g, '999999')
    .replace(/:widgetId/g, 'no-widget')
    .replace(/:filterId/g, 'no-filter')
    .replace(/:token/g, 'not-a-token')
    .replace(/\*$/, 'somewhere');

let app: TestApp;
const callers: Caller[] = [];

const account = (role: Role) => ({
  email: `${role.replace('_', '-')}@matrix.test`,
  password: `${role} password 123`,
});

/** A new session, API key and script key of the role's user. */
async function personalCallers(role: Role): Promise<Caller[]> {
  const { services } = app.rosetta;
  const login = await app.request('POST', '/api/auth/login', account(role), { token: '' });
  const key = await app.request('POST', '/api/api-keys', { name: 'matrix' }, { token: login.body.token });
  const owner = await services.auth.authenticate(login.body.token);
  const script = await services.auth.mintScriptKey(owner, 'matrix run', new Date(Date.now() + 3_600_000));
  return [
    { name: `${role} session`, kind: 'session', role, secret: login.body.token },
    { name: `${role} API key`, kind: 'apiKey', role, secret: key.body.key },
    { name: `${role} script key`, kind: 'script', role, secret: script.key },
  ];
}

/**
 * Routes that end the credentials they are called with (the logouts; Sisense's `logout_all` ends
 * every credential of the user) run last, each caller with credentials minted just before.
 */
const endsOwnCredentials = (url: string) => /\/logout(_all)?$/.test(url);

const freshTwin = async (caller: Caller): Promise<Caller> =>
  ['session', 'apiKey', 'script'].includes(caller.kind)
    ? ((await personalCallers(caller.role)).find((twin) => twin.kind === caller.kind) as Caller)
    : caller;

async function send(caller: Caller, method: string, url: string) {
  const headers: Record<string, string> = {};
  let path = concrete(url);
  if (caller.kind !== 'anonymous') {
    if (url.startsWith('/serenytics/')) {
      if (caller.kind === 'embed')
        path += `${path.includes('?') ? '&' : '?'}embeddedPayload=${caller.secret}`;
      else headers['x-api-key'] = caller.secret;
    } else if (url.startsWith('/holistics/')) headers['x-holistics-key'] = caller.secret;
    else headers.authorization = `${caller.kind === 'embed' ? 'Embed' : 'Bearer'} ${caller.secret}`;
  }
  const withBody = ['POST', 'PUT', 'PATCH'].includes(method);
  if (withBody) headers['content-type'] = 'application/json';
  const response = await app.rosetta.server.inject({
    method: method as 'GET',
    url: path,
    headers,
    payload: withBody ? '{}' : undefined,
  });
  let message = '';
  try {
    const body = response.json();
    message = body?.error?.message ?? body?.errors?.[0] ?? body?.message ?? '';
  } catch {
    // not JSON
  }
  return { status: response.statusCode, message };
}

beforeAll(async () => {
  app = await startTestApp({
    env: { ROSETTA_CREDENTIAL_FAILURES_PER_ADDRESS: '0', ROSETTA_HOLISTICS_RATE_LIMITS: '0,0,0' },
  });
  for (const role of ROLES) {
    const { email, password } = account(role);
    expect((await app.request('POST', '/api/users', { email, role, password })).status).toBe(201);
    callers.push(...(await personalCallers(role)));
  }
  const sources = (await app.request('GET', '/api/data-sources')).body.items;
  const dataKey = await app.request('POST', '/api/api-keys', {
    name: 'partner',
    dataSourceIds: [sources[0].id],
  });
  // A data-API key acts at most as an interactive viewer, whatever its owner.
  callers.push({
    name: "an admin's data-API key",
    kind: 'dataKey',
    role: 'interactive_viewer',
    secret: dataKey.body.key,
  });
  const dashboards = (await app.request('GET', '/api/dashboards')).body.items;
  const embed = await app.request('POST', `/api/dashboards/${dashboards[0].id}/embeds`, {
    expiresInSeconds: 3600,
  });
  const opened = await app.request('POST', '/api/embed/open', { token: embed.body.token }, { token: '' });
  callers.push({ name: 'an embed session', kind: 'embed', role: 'viewer', secret: opened.body.session });
  callers.push({ name: 'no credential', kind: 'anonymous', role: 'viewer', secret: '' });
  expect(ADMIN_KEY).toBeTruthy();
}, 120_000);
afterAll(() => app?.close());

describe('the permission matrix', () => {
  it('has a row for every route of every face, and a route for every row', () => {
    const routes = app.rosetta.server.registeredRoutes.map((r) => `${r.method} ${r.url}`);
    const unlisted = routes.filter((key) => {
      if (ROOT.has(key)) return false;
      const face = faceOf(key.split(' ')[1]);
      return !face || face.table[key] === undefined;
    });
    expect(unlisted).toEqual([]);
    const tables = [
      nativePermissions,
      serenyticsPermissions,
      lightdashPermissions,
      holisticsPermissions,
      sisensePermissions,
    ];
    const rows = [...new Set(tables.flatMap((table) => Object.keys(table)))];
    expect(rows.filter((row) => !routes.includes(row))).toEqual([]);
    // Every action a row names is in the documented table.
    const actions = new Set(
      tables
        .flatMap((table) => Object.values(table))
        .flatMap((rule) => (rule === 'public' ? [] : [typeof rule === 'object' ? rule.orOwnToken : rule])),
    );
    expect([...actions].filter((action) => !DOCUMENTED[action])).toEqual([]);
  });

  it('lets each principal take exactly the actions the table gives it, on every route', async () => {
    const routes = app.rosetta.server.registeredRoutes
      .filter((r) => !ROOT.has(`${r.method} ${r.url}`))
      // Logging out ends the credentials the later requests of that caller use.
      .sort((a, b) => Number(endsOwnCredentials(a.url)) - Number(endsOwnCredentials(b.url)));
    const wrong: string[] = [];
    let cells = 0;
    for (const { method, url } of routes) {
      const face = faceOf(url);
      if (!face) throw new Error(`${method} ${url} belongs to no face`);
      const rule = face.table[`${method} ${url}`];
      const label =
        rule === 'public' ? undefined : DOCUMENTED[typeof rule === 'object' ? rule.orOwnToken : rule][2];
      for (const listed of callers) {
        const caller = endsOwnCredentials(url) ? await freshTwin(listed) : listed;
        cells++;
        const { status, message } = await send(caller, method, url);
        const refusedHere =
          status === 401 || (status === 403 && label !== undefined && message.includes(label));
        if (allowed(rule, caller, face) === refusedHere)
          wrong.push(`${method} ${url} as ${caller.name}: ${status} ${message}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(cells).toBeGreaterThan(2000);
  }, 300_000);
});
