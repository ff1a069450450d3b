// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${table.field}` is the placeholder of Lightdash SQL
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlRunner } from '../../src/core/query/testkit.ts';
import { lightdashPermissions } from '../../src/http/dialects/lightdash/permissions.ts';
import {
  ADMIN_EMAIL,
  ADMIN_KEY,
  ADMIN_PASSWORD,
  startTestApp,
  type TestApp,
  type TestResponse,
} from '../support/app.ts';
import { type LightdashRequestOptions, ld, sessionCookie } from './support.ts';

/**
 * Every operation of the account, organization, attribute, project and query parts of the
 * Lightdash face, called with the vendor documentation's request samples and checked the way a
 * client written from that documentation reads the answer: the status code of spec §1.5, the
 * envelope, every required field of the documented shape with its type, and the error envelopes
 * of a missing credential (401), an unknown id (404) and bad input (400 with `data`). Then the
 * SDK's calls of clients.md in the order a client makes them.
 */

let app: TestApp;
let project: string;
let cookie: string;
let member: string;

const MAX_LIMIT = 700;
const MAX_PAGE_SIZE = 50;

/** A Lightdash result row: each field id's cell. */
type Row = Record<string, { value: { raw: unknown; formatted: string } }>;

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';
/** Required fields of a documented shape: `'string|null'` allows either. */
type Shape = Record<string, string>;

const kindOf = (value: unknown): Kind =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : (typeof value as Exclude<Kind, 'array' | 'null'>);

/** Each field of `shape` is present with one of its types; a failure names the field. */
function expectShape(value: unknown, shape: Shape, where: string): void {
  expect(kindOf(value), where).toBe('object');
  const record = value as Record<string, unknown>;
  for (const [field, kinds] of Object.entries(shape)) {
    expect(field in record, `${where}.${field} is missing`).toBe(true);
    expect(kinds.split('|'), `${where}.${field}`).toContain(kindOf(record[field]));
  }
}

// Spec §2.0: the shapes the operations below answer.
const LightdashUser: Shape = {
  userUuid: 'string',
  email: 'string',
  firstName: 'string',
  lastName: 'string',
  organizationUuid: 'string',
  organizationName: 'string',
  role: 'string',
  isTrackingAnonymized: 'boolean',
  isMarketingOptedIn: 'boolean',
  isSetupComplete: 'boolean',
  isActive: 'boolean',
};
const MemberProfile: Shape = {
  userUuid: 'string',
  firstName: 'string',
  lastName: 'string',
  email: 'string',
  organizationUuid: 'string',
  role: 'string',
  isActive: 'boolean',
};
const Group: Shape = {
  uuid: 'string',
  name: 'string',
  organizationUuid: 'string',
  createdAt: 'string',
  createdByUserUuid: 'string|null',
  updatedAt: 'string',
  updatedByUserUuid: 'string|null',
};
const GroupWithMembers: Shape = { ...Group, memberUuids: 'array', members: 'array' };
const GroupMember: Shape = { userUuid: 'string', email: 'string', firstName: 'string', lastName: 'string' };
const UserAttribute: Shape = {
  uuid: 'string',
  name: 'string',
  organizationUuid: 'string',
  createdAt: 'string',
  attributeDefault: 'string|null',
  users: 'array',
  groups: 'array',
};
const Token: Shape = {
  uuid: 'string',
  description: 'string',
  createdAt: 'string',
  expiresAt: 'string|null',
  rotatedAt: 'string|null',
  lastUsedAt: 'string|null',
};
const OrganizationProject: Shape = {
  projectUuid: 'string',
  name: 'string',
  type: 'string',
  createdByUserUuid: 'string|null',
  upstreamProjectUuid: 'string|null',
  warehouseType: 'string',
  requireUserCredentials: 'boolean',
};
const ProjectShape: Shape = {
  projectUuid: 'string',
  organizationUuid: 'string',
  name: 'string',
  type: 'string',
  createdByUserUuid: 'string|null',
  schedulerTimezone: 'string',
  dbtVersion: 'string',
  dbtConnection: 'object',
};
const SummaryExplore: Shape = {
  name: 'string',
  label: 'string',
  type: 'string',
  tags: 'array',
  databaseName: 'string',
  schemaName: 'string',
  description: 'string',
};
const QueryResults: Shape = {
  metricQuery: 'object',
  cacheMetadata: 'object',
  rows: 'array',
  fields: 'object',
};
const Pagination: Shape = {
  page: 'number',
  pageSize: 'number',
  totalResults: 'number',
  totalPageCount: 'number',
};

const call = (method: string, path: string, body?: unknown, options?: LightdashRequestOptions) =>
  ld(app, method, path, body, options);

/** A success: the status, `status: 'ok'`, and the payload. */
async function success(
  status: number,
  method: string,
  path: string,
  body?: unknown,
  options?: LightdashRequestOptions,
) {
  const answer = await call(method, path, body, options);
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(status);
  expect(answer.body.status).toBe('ok');
  return answer.body.results;
}

/** An error envelope of spec §1.4 with its status and name. */
function expectError(answer: TestResponse, statusCode: number, name: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(statusCode);
  expect(answer.body).toMatchObject({
    status: 'error',
    error: { statusCode, name, message: expect.any(String) },
  });
}

/** Bad input: 400 ParameterError whose `data` names the field. */
async function expectBadInput(
  method: string,
  path: string,
  body: unknown,
  field: string,
  options?: LightdashRequestOptions,
) {
  const answer = await call(method, path, body, options);
  expectError(answer, 400, 'ParameterError');
  expect(Object.keys(answer.body.error.data ?? {}).join(' '), JSON.stringify(answer.body)).toContain(field);
}

const query = (overrides: Record<string, unknown> = {}) => ({
  exploreName: 'shop',
  dimensions: ['orders_region'],
  metrics: ['orders_revenue'],
  filters: {},
  sorts: [{ fieldId: 'orders_region', descending: false }],
  limit: 500,
  tableCalculations: [],
  ...overrides,
});

/** Polls `getSchedulerJobStatus` until the job is no longer scheduled or started. */
async function finishedJob(jobId: string) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const job = await success(200, 'GET', `/v1/schedulers/job/${jobId}/status`);
    if (job.status !== 'scheduled' && job.status !== 'started') return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} never finished`);
}

beforeAll(async () => {
  app = await startTestApp({
    demo: false,
    env: {
      ROSETTA_LIGHTDASH_MAX_LIMIT: String(MAX_LIMIT),
      ROSETTA_LIGHTDASH_MAX_PAGE_SIZE: String(MAX_PAGE_SIZE),
    },
  });
  const source = await app.request('POST', '/api/data-sources', {
    name: 'seed_orders',
    type: 'storage',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'amount', type: 'number' },
      { name: 'region', type: 'string' },
      { name: 'created_at', type: 'datetime' },
    ],
  });
  expect(source.status).toBe(201);
  const rows = [
    { id: 1, amount: 10, region: 'north', created_at: '2024-01-15T10:00:00Z' },
    { id: 2, amount: 20, region: 'south', created_at: '2024-02-03T10:00:00Z' },
    { id: 3, amount: 30, region: 'north', created_at: '2024-02-20T10:00:00Z' },
    { id: 4, amount: 5, region: 'east', created_at: '2024-04-01T10:00:00Z' },
  ];
  await app.request('POST', `/api/data-sources/${source.body.id}/rows`, { mode: 'insert', rows });
  const model = await app.request('POST', '/api/models', {
    name: 'shop',
    connectionId: source.body.connectionId,
    baseTable: 'orders',
    tables: [{ name: 'orders', dataSource: source.body.uuid }],
    dimensions: ['id', 'amount', 'region', 'created_at'].map((name) => ({
      name,
      table: 'orders',
      column: name,
    })),
    metrics: [
      { name: 'revenue', table: 'orders', aggregation: 'sum', column: 'amount' },
      { name: 'order_count', table: 'orders', aggregation: 'count' },
    ],
  });
  expect(model.status).toBe(201);
  const user = await app.request('POST', '/api/users', {
    email: 'member@seed.test',
    password: 'a long password 1',
    role: 'viewer',
    name: 'Mia Member',
  });
  member = user.body.uuid;
  cookie = sessionCookie(
    await call('POST', '/v1/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { key: null }),
  );
  project = (await success(200, 'GET', '/v1/org/projects'))[0].projectUuid;
}, 120_000);
afterAll(() => app?.close());

describe('every route of the permission table', () => {
  const routes = Object.keys(lightdashPermissions).filter((route) => !route.endsWith('*'));
  const concrete = (path: string) =>
    path.replace('/lightdash/api', '').replace(/:[A-Za-z]+/g, () => randomUUID());

  it('answers a request without a credential with 401 AuthorizationError, public routes aside', async () => {
    for (const route of routes.filter((key) => lightdashPermissions[key] !== 'public')) {
      const [method, path] = route.split(' ');
      const answer = await call(
        method,
        concrete(path),
        ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined,
        {
          key: null,
        },
      );
      expect(answer.status, route).toBe(401);
      expect(answer.body.error?.name, route).toBe('AuthorizationError');
    }
  });

  it('answers an unknown project, group, user, attribute, job or query with 404 NotExistsError', async () => {
    const gone = randomUUID();
    const unknown: Array<[string, string, unknown?]> = [
      ['GET', `/v1/projects/${gone}`],
      ['GET', `/v1/projects/${gone}/explores`],
      ['GET', `/v1/projects/${project}/explores/nothing_here`],
      ['POST', `/v1/projects/${project}/explores/nothing_here/runQuery`, query()],
      ['POST', `/v1/projects/${gone}/explores/shop/compileQuery`, query()],
      ['POST', `/v1/projects/${project}/calculate-total`, { explore: 'nothing_here', metricQuery: query() }],
      ['GET', `/v1/org/users/${gone}`],
      ['PATCH', `/v1/org/users/${gone}`, { role: 'editor' }],
      ['GET', `/v1/groups/${gone}`],
      ['GET', `/v1/groups/${gone}/members`],
      ['PATCH', `/v1/groups/${gone}`, { name: 'x' }],
      ['DELETE', `/v1/groups/${gone}`],
      ['PUT', `/v1/org/attributes/${gone}`, { name: 'x', attributeDefault: null, users: [], groups: [] }],
      ['DELETE', `/v1/org/attributes/${gone}`],
      ['GET', `/v1/schedulers/job/${gone}/status`],
      ['GET', `/v2/projects/${project}/query/${gone}`],
      ['POST', `/v2/projects/${project}/query/${gone}/cancel`],
      ['GET', `/v1/projects/${project}/sqlRunner/results/${gone}`],
    ];
    for (const [method, path, body] of unknown)
      expectError(await call(method, path, body), 404, 'NotExistsError');
  });
});

describe('account (spec §2.1, Appendix B)', () => {
  it('health, livez, login and the user', async () => {
    const health = await success(200, 'GET', '/v1/health', undefined, { key: null });
    expectShape(
      health,
      { healthy: 'boolean', version: 'string', mode: 'string', isAuthenticated: 'boolean' },
      'health',
    );
    expect(health.query).toMatchObject({ maxLimit: MAX_LIMIT, maxPageSize: MAX_PAGE_SIZE });
    expect((await call('GET', '/v1/livez', undefined, { key: null })).status).toBe(200);
    const login = await success(
      200,
      'POST',
      '/v1/login',
      { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      { key: null },
    );
    expectShape(login, LightdashUser, 'login');
    await expectBadInput('POST', '/v1/login', { email: ADMIN_EMAIL }, 'password', { key: null });
    expectShape(await success(200, 'GET', '/v1/user'), LightdashUser, 'user');
    expectShape(
      await success(200, 'GET', '/v1/user', undefined, { cookie }),
      LightdashUser,
      'user (session)',
    );
  });

  it('registers only through an invitation and logs a session out', async () => {
    const registration = {
      email: 'new@seed.test',
      password: 'a long password 1',
      firstName: 'N',
      lastName: 'U',
    };
    expectError(await call('POST', '/v1/user', registration, { key: null }), 403, 'ForbiddenError');
    await expectBadInput('POST', '/v1/user', { ...registration, password: 5 }, 'password', { key: null });
    const session = sessionCookie(
      await call('POST', '/v1/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { key: null }),
    );
    expect(await success(200, 'GET', '/v1/logout', undefined, { cookie: session })).toBeUndefined();
    expectError(await call('GET', '/v1/user', undefined, { cookie: session }), 401, 'AuthorizationError');
  });

  it('updates the profile', async () => {
    const updated = await success(200, 'PATCH', '/v1/user/me', { firstName: 'Ada', lastName: 'Admin' });
    expectShape(updated, LightdashUser, 'PATCH user/me');
    expect(updated).toMatchObject({ firstName: 'Ada', lastName: 'Admin' });
    await expectBadInput('PATCH', '/v1/user/me', { firstName: 42 }, 'firstName');
  });

  it('lists personal warehouse credentials and joinable organizations', async () => {
    expect(await success(200, 'GET', '/v1/user/warehouseCredentials', undefined, { cookie })).toEqual([]);
    expect(await success(200, 'GET', '/v1/user/me/allowedOrganizations')).toEqual([]);
  });

  it('creates, lists, rotates and deletes personal access tokens', async () => {
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const created = await success(
      200,
      'POST',
      '/v1/user/me/personal-access-tokens',
      { description: 'seed', expiresAt, autoGenerated: false },
      { cookie },
    );
    expectShape(created, { ...Token, token: 'string' }, 'token');
    expectShape(
      await success(200, 'GET', `/v1/user`, undefined, { key: created.token }),
      LightdashUser,
      'by PAT',
    );
    const listed = await success(200, 'GET', '/v1/user/me/personal-access-tokens', undefined, { cookie });
    expectShape(
      listed.find((token: { uuid: string }) => token.uuid === created.uuid),
      Token,
      'listed token',
    );
    expect(listed.every((token: object) => !('token' in token))).toBe(true);
    await expectBadInput(
      'POST',
      '/v1/user/me/personal-access-tokens',
      { description: 'x', expiresAt: 'tomorrow', autoGenerated: false },
      'expiresAt',
      { cookie },
    );
    const later = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const rotate = `/v1/user/me/personal-access-tokens/${created.uuid}/rotate`;
    await expectBadInput('PATCH', rotate, { expiresAt: 'never' }, 'expiresAt', { key: created.token });
    const rotated = await success(200, 'PATCH', rotate, { expiresAt: later }, { key: created.token });
    expectShape(rotated, { ...Token, token: 'string' }, 'rotated');
    expect(rotated.token).not.toBe(created.token);
    expectError(await call('GET', '/v1/user', undefined, { key: created.token }), 401, 'AuthorizationError');
    // Rotation rules (spec §2.1): at most once an hour; a token without expiry never.
    expectError(
      await call('PATCH', rotate, { expiresAt: later }, { key: rotated.token }),
      400,
      'ParameterError',
    );
    const forever = await success(
      200,
      'POST',
      '/v1/user/me/personal-access-tokens',
      { description: 'forever', expiresAt: null, autoGenerated: false },
      { cookie },
    );
    expectError(
      await call(
        'PATCH',
        `/v1/user/me/personal-access-tokens/${forever.uuid}/rotate`,
        { expiresAt: later },
        { cookie },
      ),
      400,
      'ParameterError',
    );
    // A PAT cannot mint PATs (Appendix B: session-only).
    expectError(
      await call('POST', '/v1/user/me/personal-access-tokens', {
        description: 'x',
        expiresAt: null,
        autoGenerated: false,
      }),
      403,
      'ForbiddenError',
    );
    await success(200, 'DELETE', `/v1/user/me/personal-access-tokens/${created.uuid}`, undefined, { cookie });
    expectError(await call('GET', '/v1/user', undefined, { key: rotated.token }), 401, 'AuthorizationError');
  });
});

describe('organization, members and groups (spec §2.2, §2.3)', () => {
  it('reads and updates the organization', async () => {
    expectShape(await success(200, 'GET', '/v1/org'), { organizationUuid: 'string', name: 'string' }, 'org');
    const patched = await call('PATCH', '/v1/org', { name: 'Seed Org' }, { cookie });
    expect(patched.status).toBe(200);
    expect(patched.body.status).toBe('ok');
    expect((await success(200, 'GET', '/v1/org')).name).toBe('Seed Org');
    await expectBadInput('PATCH', '/v1/org', { name: 7 }, 'name', { cookie });
    expectShape(
      await success(200, 'GET', '/v1/org/allowedEmailDomains', undefined, { cookie }),
      { organizationUuid: 'string', emailDomains: 'array', role: 'string', projects: 'array' },
      'allowedEmailDomains',
    );
  });

  it('lists members with and without paging, reads and updates one', async () => {
    const all = await success(200, 'GET', '/v1/org/users');
    expect(all.pagination).toBeUndefined();
    for (const profile of all.data) expectShape(profile, MemberProfile, 'member');
    const paged = await success(200, 'GET', '/v1/org/users?page=1&pageSize=1');
    expect(paged.data).toHaveLength(1);
    expectShape(paged.pagination, Pagination, 'pagination');
    expect(paged.pagination).toMatchObject({ page: 1, pageSize: 1, totalResults: all.data.length });
    await expectBadInput('GET', '/v1/org/users?page=0&pageSize=1', undefined, 'page');
    expectShape(await success(200, 'GET', `/v1/org/users/${member}`), MemberProfile, 'member');
    const changed = await success(200, 'PATCH', `/v1/org/users/${member}`, { role: 'interactive_viewer' });
    expect(changed).toMatchObject({ userUuid: member, role: 'interactive_viewer' });
    await expectBadInput('PATCH', `/v1/org/users/${member}`, { role: 'wizard' }, 'role');
    const leaving = await app.request('POST', '/api/users', {
      email: 'leaving@seed.test',
      password: 'a long password 1',
      role: 'viewer',
    });
    expect(await success(200, 'DELETE', `/v1/org/user/${leaving.body.uuid}`)).toBeUndefined();
    expectError(await call('GET', `/v1/org/users/${leaving.body.uuid}`), 404, 'NotExistsError');
  });

  it('creates, lists, reads, renames groups and manages their members', async () => {
    const created = await success(201, 'POST', '/v1/org/groups', {
      name: 'Analysts',
      members: [{ userUuid: member }],
    });
    expectShape(created, GroupWithMembers, 'group');
    expect(created.memberUuids).toEqual([member]);
    await expectBadInput('POST', '/v1/org/groups', { members: [] }, 'name');
    const listed = await success(200, 'GET', '/v1/org/groups');
    for (const group of listed.data) expectShape(group, Group, 'listed group');
    expectShape(
      (await success(200, 'GET', '/v1/org/groups?page=1&pageSize=1')).pagination,
      Pagination,
      'pagination',
    );
    const group = `/v1/groups/${created.uuid}`;
    expectShape(await success(200, 'GET', group), Group, 'getGroup');
    expectShape(
      await success(200, 'GET', `${group}?includeMembers=10`),
      GroupWithMembers,
      'getGroup with members',
    );
    expect((await success(200, 'PATCH', group, { name: 'Data analysts' })).name).toBe('Data analysts');
    await expectBadInput('PATCH', group, { name: 5 }, 'name');
    for (const one of await success(200, 'GET', `${group}/members`))
      expectShape(one, GroupMember, 'group member');
    expect((await call('DELETE', `${group}/members/${member}`)).status).toBe(200);
    expect((await call('DELETE', `${group}/members/${member}`)).status).toBe(204);
    expect((await call('PUT', `${group}/members/${member}`)).status).toBe(201);
    expect((await call('PUT', `${group}/members/${member}`)).status).toBe(204);
    await success(200, 'DELETE', group);
    expectError(await call('GET', group), 404, 'NotExistsError');
  });
});

describe('user attributes (spec §2.4)', () => {
  it('creates, lists, replaces and deletes an attribute', async () => {
    const body = {
      name: 'seed_region',
      description: 'sales region',
      attributeDefault: null,
      users: [{ userUuid: member, value: 'north' }],
      groups: [],
    };
    const created = await success(201, 'POST', '/v1/org/attributes', body);
    expectShape(created, UserAttribute, 'attribute');
    expectShape(created.users[0], { userUuid: 'string', email: 'string', value: 'string' }, 'attribute user');
    expect(created.users[0]).toMatchObject({ userUuid: member, value: 'north' });
    await expectBadInput('POST', '/v1/org/attributes', { ...body, name: 'other', users: 'all' }, 'users');
    for (const attribute of await success(200, 'GET', '/v1/org/attributes'))
      expectShape(attribute, UserAttribute, 'listed attribute');
    const replaced = await success(201, 'PUT', `/v1/org/attributes/${created.uuid}`, {
      ...body,
      attributeDefault: 'south',
      users: [],
    });
    expect(replaced).toMatchObject({ uuid: created.uuid, attributeDefault: 'south', users: [] });
    await success(200, 'DELETE', `/v1/org/attributes/${created.uuid}`);
  });
});

describe('projects (spec §2.5)', () => {
  it('lists the projects with their type and reads one', async () => {
    for (const listed of await success(200, 'GET', '/v1/org/projects')) {
      expectShape(listed, OrganizationProject, 'organization project');
      expect(['DEFAULT', 'PREVIEW']).toContain(listed.type);
    }
    expectShape(await success(200, 'GET', `/v1/projects/${project}`), ProjectShape, 'project');
    expect(await success(200, 'GET', `/v1/projects/${project}/user-credentials`)).toBeUndefined();
  });

  it('creates a project without compiling it and deletes it', async () => {
    const created = await success(200, 'POST', '/v1/org/projects', {
      name: 'Seed project',
      type: 'DEFAULT',
      dbtConnection: { type: 'none' },
    });
    expectShape(created.project, ProjectShape, 'created project');
    await expectBadInput('POST', '/v1/org/projects', { type: 'DEFAULT' }, 'name');
    await success(200, 'DELETE', `/v1/org/projects/${created.project.projectUuid}`);
    expectError(await call('GET', `/v1/projects/${created.project.projectUuid}`), 404, 'NotExistsError');
  });
});

describe('explores and queries (spec §2.6, §2.7, clients.md)', () => {
  const base = () => `/v1/projects/${project}`;

  it('lets a viewer read explores but not run ad-hoc queries or SQL (spec §3.9)', async () => {
    const email = 'viewer@seed.test';
    await app.request('POST', '/api/users', { email, password: 'a long password 1', role: 'viewer' });
    const session = sessionCookie(
      await call('POST', '/v1/login', { email, password: 'a long password 1' }, { key: null }),
    );
    const viewer = { cookie: session };
    expect((await call('GET', `${base()}/explores`, undefined, viewer)).status).toBe(200);
    expectError(
      await call('POST', `${base()}/explores/shop/runQuery`, query(), viewer),
      403,
      'ForbiddenError',
    );
    expectError(await call('POST', `${base()}/sqlQuery`, { sql: 'SELECT 1' }, viewer), 403, 'ForbiddenError');
    expectError(
      await call('POST', `/v2/projects/${project}/query/metric-query`, { query: query() }, viewer),
      403,
      'ForbiddenError',
    );
  });

  it('lists explores as summaries and reads one with its tables', async () => {
    const explores = await success(200, 'GET', `${base()}/explores`);
    for (const explore of explores) expectShape(explore, SummaryExplore, `explore ${explore.name}`);
    const shop = await success(200, 'GET', `${base()}/explores/shop`);
    expectShape(
      shop,
      { name: 'string', baseTable: 'string', tables: 'object', joinedTables: 'array' },
      'explore',
    );
    expectShape(shop.tables.orders, { dimensions: 'object', metrics: 'object', sqlTable: 'string' }, 'table');
    expect(shop.tables.orders.sqlTable).toMatch(/^"/);
    expect(shop.tables.orders.dimensions.region.compiledSql).toBe('"orders".region');
    expectShape(
      shop.tables.orders.dimensions.region,
      { name: 'string', type: 'string', fieldType: 'string' },
      'dim',
    );
    expect(shop.tables.orders.metrics.revenue).toMatchObject({ fieldType: 'metric', type: 'sum' });
  });

  it("writes a MySQL explore's sqlTable with MySQL's quoting, and runs it", async () => {
    const runner = await mysqlRunner();
    if (!runner.database.available) return;
    try {
      const url = new URL(runner.database.url);
      const connection = await app.request('POST', '/api/connections', {
        name: 'seed mysql',
        type: 'mysql',
        host: url.hostname,
        port: Number(url.port),
        database: runner.database.name,
        user: decodeURIComponent(url.username),
        ...(url.password && { password: decodeURIComponent(url.password) }),
      });
      expect(connection.status).toBe(201);
      const model = await app.request('POST', '/api/models', {
        name: 'mysql_shop',
        connectionId: connection.body.id,
        baseTable: 'orders',
        tables: [{ name: 'orders', table: 'orders' }],
        dimensions: [{ name: 'country', table: 'orders', column: 'country' }],
        metrics: [{ name: 'order_count', table: 'orders', aggregation: 'count' }],
      });
      expect(model.status).toBe(201);
      const explore = await success(200, 'GET', `${base()}/explores/mysql_shop`);
      expect(explore.tables.orders.sqlTable).toBe('`orders`');
      expect(explore.tables.orders.dimensions.country.compiledSql).toBe('`orders`.country');
      const results = await success(200, 'POST', `${base()}/explores/mysql_shop/runQuery`, {
        ...query({
          exploreName: 'mysql_shop',
          dimensions: ['orders_country'],
          metrics: ['orders_order_count'],
        }),
        sorts: [],
      });
      expect(results.rows.length).toBeGreaterThan(0);
      // The project's SQL runs on its first model's connection: leave it the embedded one.
      expect((await app.request('DELETE', `/api/models/${model.body.id}`)).status).toBe(204);
    } finally {
      await runner.close();
    }
  });

  it('compiles a query to its SQL text, naming bad input and unknown fields', async () => {
    expect(await success(200, 'POST', `${base()}/explores/shop/compileQuery`, query())).toMatch(/select/i);
    await expectBadInput(
      'POST',
      `${base()}/explores/shop/compileQuery`,
      { ...query(), dimensions: 'region' },
      'dimensions',
    );
    const unknown = await call(
      'POST',
      `${base()}/explores/shop/compileQuery`,
      query({ dimensions: ['orders_colour'] }),
    );
    expectError(unknown, 400, 'FieldReferenceError');
  });

  it('runs a query, its underlying data and its totals', async () => {
    const results = await success(200, 'POST', `${base()}/explores/shop/runQuery`, query());
    expectShape(results, QueryResults, 'runQuery');
    expectShape(results.cacheMetadata, { cacheHit: 'boolean' }, 'cacheMetadata');
    expect(
      results.rows.map((row: Row) => [row.orders_region.value.raw, row.orders_revenue.value.raw]),
    ).toEqual([
      ['east', 5],
      ['north', 40],
      ['south', 20],
    ]);
    expectShape(results.rows[0].orders_revenue.value, { formatted: 'string' }, 'cell');
    expect(Object.keys(results.fields).sort()).toEqual(['orders_region', 'orders_revenue']);
    await expectBadInput(
      'POST',
      `${base()}/explores/shop/runQuery`,
      query({ limit: MAX_LIMIT + 1 }),
      'limit',
    );
    const underlying = await success(
      200,
      'POST',
      `${base()}/explores/shop/runUnderlyingDataQuery`,
      query({ dimensions: ['orders_id'], metrics: [], sorts: [] }),
    );
    expectShape(underlying, QueryResults, 'underlying');
    expect(underlying.rows).toHaveLength(4);
    const totals = await success(200, 'POST', `${base()}/calculate-total`, {
      explore: 'shop',
      metricQuery: query(),
    });
    expect(totals).toEqual({ orders_revenue: 65 });
    await expectBadInput('POST', `${base()}/calculate-total`, { metricQuery: query() }, 'explore');
  });

  it('downloads a CSV as a job polled to its file', async () => {
    const csv = { ...query(), onlyRaw: false, showTableNames: false, columnOrder: [], csvLimit: null };
    const { jobId } = await success(200, 'POST', `${base()}/explores/shop/downloadCsv`, csv);
    expect(jobId).toEqual(expect.any(String));
    const job = await finishedJob(jobId);
    expect(job).toMatchObject({ status: 'completed', details: { fileUrl: expect.any(String) } });
    await expectBadInput(
      'POST',
      `${base()}/explores/shop/downloadCsv`,
      { ...csv, csvLimit: 'all' },
      'csvLimit',
    );
  });

  it('runs SQL in one call and through the SQL runner job and its JSON lines file', async () => {
    const sql = 'SELECT 1 AS one, 2 AS two';
    const direct = await success(200, 'POST', `${base()}/sqlQuery`, { sql });
    expect(direct.rows).toEqual([{ one: 1, two: 2 }]);
    expect(direct.fields).toEqual({ one: { type: 'number' }, two: { type: 'number' } });
    await expectBadInput('POST', `${base()}/sqlQuery`, {}, 'sql');
    const { jobId } = await success(200, 'POST', `${base()}/sqlRunner/run`, { sql, limit: 10 });
    const job = await finishedJob(jobId);
    expect(job.status).toBe('completed');
    expect(job.details.columns).toEqual([
      { reference: 'one', type: 'number' },
      { reference: 'two', type: 'number' },
    ]);
    const file = await app.rosetta.server.inject({
      method: 'GET',
      url: new URL(job.details.fileUrl).pathname,
      headers: { authorization: `ApiKey ${ADMIN_KEY}` },
    });
    expect(file.statusCode).toBe(200);
    expect(
      file.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([{ one: 1, two: 2 }]);
    await expectBadInput('POST', `${base()}/sqlRunner/run`, { sql, limit: MAX_LIMIT + 1 }, 'limit');
  });

  it('runs a v2 metric query: submit, page until ready, cancel', async () => {
    const body = {
      query: query({
        dimensions: ['orders_created_at_month'],
        metrics: ['orders_revenue'],
        // A metric filter on a metric the query does not show: it must not show in the answer.
        filters: {
          metrics: {
            id: 'f',
            and: [
              { id: 'r', target: { fieldId: 'orders_order_count' }, operator: 'greaterThan', values: [0] },
            ],
          },
        },
        sorts: [{ fieldId: 'orders_created_at_month', descending: false }],
        tableCalculations: [
          { name: 'double', displayName: 'Double', sql: '${orders.revenue} * 2', type: 'number' },
        ],
      }),
      context: 'api',
      invalidateCache: false,
    };
    const submitted = await success(200, 'POST', `/v2/projects/${project}/query/metric-query`, body);
    expectShape(submitted, { queryUuid: 'string', fields: 'object' }, 'submitted');
    const shown = ['double', 'orders_created_at_month', 'orders_revenue'];
    expect(Object.keys(submitted.fields).sort()).toEqual(shown);
    let page: TestResponse['body'];
    for (let attempt = 0; attempt < 200; attempt++) {
      page = await success(
        200,
        'GET',
        `/v2/projects/${project}/query/${submitted.queryUuid}?page=1&pageSize=2`,
      );
      if (page.status !== 'pending') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expectShape(
      page,
      {
        status: 'string',
        rows: 'array',
        totalResults: 'number',
        totalPageCount: 'number',
        pageSize: 'number',
      },
      'page',
    );
    expect(page).toMatchObject({ status: 'ready', totalResults: 3, totalPageCount: 2, pageSize: 2 });
    expect(Object.keys(page.fields).sort()).toEqual(shown);
    expect(Object.keys(page.rows[0]).sort()).toEqual(shown);
    expect(page.rows.map((row: Row) => row.orders_created_at_month.value.formatted)).toEqual([
      '2024-01',
      '2024-02',
    ]);
    expect(page.rows.map((row: Row) => row.double.value.raw)).toEqual([20, 100]);
    const last = await success(
      200,
      'GET',
      `/v2/projects/${project}/query/${submitted.queryUuid}?page=2&pageSize=2`,
    );
    expect(last.rows.map((row: Row) => row.orders_created_at_month.value.formatted)).toEqual(['2024-04']);
    await expectBadInput(
      'GET',
      `/v2/projects/${project}/query/${submitted.queryUuid}?pageSize=${MAX_PAGE_SIZE + 1}`,
      undefined,
      'pageSize',
    );
    await expectBadInput(
      'POST',
      `/v2/projects/${project}/query/metric-query`,
      { query: { dimensions: [] } },
      'metrics',
    );
    const cancelled = await success(
      200,
      'POST',
      `/v2/projects/${project}/query/${(await success(200, 'POST', `/v2/projects/${project}/query/metric-query`, body)).queryUuid}/cancel`,
    );
    expect(cancelled).toBeUndefined();
  });
});

describe('spaces, charts and dashboards (spec §2.8, §2.9, §2.11, Appendix B)', () => {
  const base = () => `/v1/projects/${project}`;
  const Space: Shape = {
    uuid: 'string',
    name: 'string',
    isPrivate: 'boolean',
    projectUuid: 'string',
    organizationUuid: 'string',
    pinnedListUuid: 'string|null',
    pinnedListOrder: 'number|null',
    slug: 'string',
    access: 'array',
    groupsAccess: 'array',
    queries: 'array',
    dashboards: 'array',
  };
  const SpaceSummary: Shape = {
    uuid: 'string',
    name: 'string',
    projectUuid: 'string',
    organizationUuid: 'string',
    pinnedListUuid: 'string|null',
    pinnedListOrder: 'number|null',
    slug: 'string',
    isPrivate: 'boolean',
    chartCount: 'number',
    dashboardCount: 'number',
    access: 'array',
  };
  const ChartSummary: Shape = {
    uuid: 'string',
    name: 'string',
    spaceUuid: 'string',
    spaceName: 'string',
    projectUuid: 'string',
    organizationUuid: 'string',
    pinnedListUuid: 'string|null',
    dashboardUuid: 'string|null',
    dashboardName: 'string|null',
    slug: 'string',
  };
  const SpaceQuery: Shape = {
    ...ChartSummary,
    updatedAt: 'string',
    pinnedListOrder: 'number|null',
    views: 'number',
    firstViewedAt: 'string',
  };
  const SavedChart: Shape = {
    uuid: 'string',
    projectUuid: 'string',
    organizationUuid: 'string',
    name: 'string',
    tableName: 'string',
    metricQuery: 'object',
    chartConfig: 'object',
    tableConfig: 'object',
    updatedAt: 'string',
    spaceUuid: 'string',
    spaceName: 'string',
    pinnedListUuid: 'string|null',
    pinnedListOrder: 'number|null',
    dashboardUuid: 'string|null',
    dashboardName: 'string|null',
    colorPalette: 'array',
    isPrivate: 'boolean',
    access: 'array',
    slug: 'string',
  };
  const Dashboard: Shape = {
    uuid: 'string',
    name: 'string',
    projectUuid: 'string',
    organizationUuid: 'string',
    spaceUuid: 'string',
    spaceName: 'string',
    dashboardVersionId: 'number',
    updatedAt: 'string',
    tiles: 'array',
    filters: 'object',
    tabs: 'array',
    views: 'number',
    firstViewedAt: 'string',
    pinnedListUuid: 'string|null',
    pinnedListOrder: 'number|null',
    isPrivate: 'boolean|null',
    access: 'array',
    slug: 'string',
  };
  const DashboardBasicDetails: Shape = {
    uuid: 'string',
    name: 'string',
    spaceUuid: 'string',
    projectUuid: 'string',
    organizationUuid: 'string',
    pinnedListUuid: 'string|null',
    updatedAt: 'string',
    views: 'number',
    firstViewedAt: 'string',
    pinnedListOrder: 'number|null',
  };
  const chartBody = (spaceUuid: string) => ({
    name: 'Revenue by region',
    description: 'seed',
    tableName: 'shop',
    metricQuery: query(),
    chartConfig: { type: 'table', config: {} },
    tableConfig: { columnOrder: ['orders_region', 'orders_revenue'] },
    spaceUuid,
  });

  it('walks spaces and their sharing', async () => {
    const created = await success(200, 'POST', `${base()}/spaces`, { name: 'Seed space', isPrivate: true });
    expectShape(created, Space, 'space');
    await expectBadInput('POST', `${base()}/spaces`, { isPrivate: true }, 'name');
    for (const summary of await success(200, 'GET', `${base()}/spaces`))
      expectShape(summary, SpaceSummary, 'summary');
    const space = `${base()}/spaces/${created.uuid}`;
    expectShape(await success(200, 'GET', space), Space, 'getSpace');
    expectShape(
      await success(200, 'PATCH', space, { name: 'Seed space 2', isPrivate: true }),
      Space,
      'patched',
    );
    await expectBadInput('PATCH', space, { name: 3, isPrivate: true }, 'name');
    expect(
      await success(200, 'POST', `${space}/share`, { userUuid: member, spaceRole: 'viewer' }),
    ).toBeUndefined();
    await success(200, 'DELETE', `${space}/share/${member}`);
    const group = await success(201, 'POST', '/v1/org/groups', { name: 'Space readers' });
    await success(200, 'POST', `${space}/group/share`, { groupUuid: group.uuid, spaceRole: 'viewer' });
    await success(200, 'DELETE', `${space}/group/share/${group.uuid}`);
    await success(200, 'DELETE', space);
    expectError(await call('GET', space), 404, 'NotExistsError');
  });

  it('walks saved charts: create, list, read, update, versions, results', async () => {
    const space = await success(200, 'POST', `${base()}/spaces`, { name: 'Charts', isPrivate: false });
    const chart = await success(200, 'POST', `${base()}/saved`, chartBody(space.uuid));
    expectShape(chart, SavedChart, 'chart');
    await expectBadInput(
      'POST',
      `${base()}/saved`,
      { ...chartBody(space.uuid), metricQuery: 'x' },
      'metricQuery',
    );
    for (const listed of await success(200, 'GET', `${base()}/charts`))
      expectShape(listed, SpaceQuery, 'listed');
    for (const listed of await success(200, 'GET', `${base()}/chart-summaries`))
      expectShape(listed, ChartSummary, 'summary');
    const saved = `/v1/saved/${chart.uuid}`;
    expectShape(await success(200, 'GET', saved), SavedChart, 'getChart');
    expectShape(await success(200, 'PATCH', saved, { name: 'Renamed' }), SavedChart, 'patched');
    await success(200, 'PATCH', `${base()}/saved`, [
      { uuid: chart.uuid, name: 'Bulk', spaceUuid: space.uuid },
    ]);
    const { tableName, metricQuery, chartConfig, tableConfig } = chartBody(space.uuid);
    expectShape(
      await success(200, 'POST', `${saved}/version`, { tableName, metricQuery, chartConfig, tableConfig }),
      SavedChart,
      'version',
    );
    const { history } = await success(200, 'GET', `${saved}/history`);
    expectShape(
      history[0],
      { chartUuid: 'string', versionUuid: 'string', createdAt: 'string', createdBy: 'object' },
      'h',
    );
    const version = `${saved}/version/${history[0].versionUuid}`;
    expectShape(
      await success(200, 'GET', version),
      { chartUuid: 'string', versionUuid: 'string', chart: 'object' },
      'v',
    );
    expectShape(await success(200, 'POST', `${version}/results`), QueryResults, 'version results');
    const results = await success(200, 'POST', `${saved}/results`, { invalidateCache: false });
    expectShape(results, QueryResults, 'chart results');
    expect(results.rows).toHaveLength(3);
    expectError(await call('GET', `/v1/saved/${randomUUID()}`), 404, 'NotExistsError');
    await success(200, 'DELETE', saved);
  });

  it('walks dashboards: create with a chart tile, list, read, update, tile results', async () => {
    const space = await success(200, 'POST', `${base()}/spaces`, { name: 'Dashboards', isPrivate: false });
    const chart = await success(200, 'POST', `${base()}/saved`, chartBody(space.uuid));
    const tile = {
      type: 'saved_chart',
      x: 0,
      y: 0,
      w: 6,
      h: 3,
      properties: { savedChartUuid: chart.uuid, title: 'Revenue' },
    };
    const body = { name: 'Seed dashboard', spaceUuid: space.uuid, tiles: [tile], tabs: [] };
    const dashboard = await success(201, 'POST', `${base()}/dashboards`, body);
    expectShape(dashboard, Dashboard, 'dashboard');
    expectShape(
      dashboard.tiles[0],
      { uuid: 'string', type: 'string', x: 'number', properties: 'object' },
      'tile',
    );
    await expectBadInput('POST', `${base()}/dashboards`, { ...body, tiles: 'none' }, 'tiles');
    for (const listed of await success(200, 'GET', `${base()}/dashboards`))
      expectShape(listed, { ...DashboardBasicDetails, tileTypes: 'array' }, 'listed dashboard');
    const path = `/v1/dashboards/${dashboard.uuid}`;
    expectShape(await success(200, 'GET', path), Dashboard, 'getDashboard');
    const patched = await success(200, 'PATCH', path, { name: 'Renamed dashboard' });
    expect(patched.name).toBe('Renamed dashboard');
    const bulk = await success(200, 'PATCH', `${base()}/dashboards`, [
      { uuid: dashboard.uuid, name: 'Bulk dashboard', spaceUuid: space.uuid },
    ]);
    expectShape(bulk[0], Dashboard, 'bulk');
    const tileResults = await success(200, 'POST', `/v1/saved/${chart.uuid}/chart-and-results`, {
      dashboardUuid: dashboard.uuid,
      dashboardFilters: { dimensions: [], metrics: [], tableCalculations: [] },
      dashboardSorts: [],
    });
    expectShape(tileResults, { ...QueryResults, chart: 'object', explore: 'object' }, 'tile results');
    await success(200, 'DELETE', path);
    expectError(await call('GET', path), 404, 'NotExistsError');
  });
});
