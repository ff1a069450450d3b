import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { DEMO, dataOf, demoLines, demoSourceUuid, dim, jaql, nativeRows } from './jaql-support.ts';
import { sisenseError, sisenseLogin, sx } from './support.ts';

/**
 * Data security through the Sisense face: rules posted on a dataset restrict what each user's
 * next JAQL and native queries return (user rules first, then their groups', then the default),
 * without a new login; admins are not restricted.
 */
let app: TestApp;
const PASSWORD = 'a-long-password-1';
const FULLNAME = `LocalHost/${DEMO}`;
const RULES = `/api/v1/datasets/${encodeURIComponent(FULLNAME)}/datasecurity`;
const countries = [...new Set(demoLines().map((line) => line.country))].sort();
const [first, second, third] = countries;
const tokens: Record<string, string> = {};
const oids: Record<string, string> = {};
let groupOid: string;
let uuid: string;

async function oidOf(kind: 'user' | 'group', id: number): Promise<string> {
  const admin = await app.rosetta.services.auth.authenticate(ADMIN_KEY);
  return app.rosetta.services.externalIds.idOf(admin.organizationId, kind, id, 'hex24');
}

async function createUser(name: string, role: string): Promise<number> {
  const email = `${name}@security.test`;
  const created = await app.request('POST', '/api/users', { email, role, password: PASSWORD });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  oids[name] = await oidOf('user', created.body.id);
  tokens[name] = await sisenseLogin(app, email, PASSWORD);
  return created.body.id;
}

/** The countries a caller's JAQL query shows, and checks the native API agrees. */
async function seenCountries(token: string): Promise<unknown[]> {
  const rows = dataOf(await jaql(app, [{ jaql: { dim: dim('country'), title: 'Country' } }], { token }));
  const native = await nativeRows(app, { source: uuid, dimensions: ['country'], sorts: ['country'] }, token);
  const seen = rows.map((row) => row[0]).sort();
  expect(native.map((row) => row[0]).sort()).toEqual(seen);
  return seen;
}

const rule = (members: string[], shares: unknown[], more: Record<string, unknown> = {}) => ({
  table: DEMO,
  column: 'country',
  datatype: 'text',
  members,
  exclusionary: false,
  shares,
  ...more,
});

beforeAll(async () => {
  app = await startTestApp();
  uuid = await demoSourceUuid(app);
  await createUser('alice', 'interactive_viewer');
  const bob = await createUser('bob', 'interactive_viewer');
  await createUser('carol', 'interactive_viewer');
  await createUser('dev', 'developer');
  const group = await app.request('POST', '/api/groups', { name: 'Security EU' });
  expect(group.status, JSON.stringify(group.body)).toBe(201);
  expect((await app.request('POST', `/api/groups/${group.body.id}/members`, { userId: bob })).status).toBe(
    204,
  );
  groupOid = await oidOf('group', group.body.id);
});
afterAll(() => app?.close());

describe('data security rules', () => {
  let aliceRule: string;

  it('creates rules for a user, a group and everyone else, and lists them by fullname', async () => {
    const created = await sx(app, 'POST', RULES, [
      rule([first], [{ party: oids.alice, type: 'user' }]),
      rule([second, third], [{ party: groupOid, type: 'group' }]),
      rule([third], [{ type: 'default' }]),
    ]);
    expect(created.status, created.text).toBe(201);
    expect(created.body).toHaveLength(3);
    expect(created.body[0]).toMatchObject({
      table: DEMO,
      column: 'country',
      datatype: 'text',
      members: [first],
      exclusionary: false,
      shares: [{ party: oids.alice, type: 'user' }],
    });
    expect(created.body[0]._id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.body[2].shares).toEqual([{ type: 'default' }]);
    aliceRule = created.body[0]._id;
    for (const path of [RULES, `/api/v1/datasets/${FULLNAME}/datasecurity`]) {
      const listed = await sx(app, 'GET', path);
      expect(listed.status, listed.text).toBe(200);
      expect(listed.body.map((r: { _id: string }) => r._id)).toEqual(
        created.body.map((r: { _id: string }) => r._id),
      );
    }
  });

  it('shows each user the members of their own rule, else their groups', async () => {
    expect(await seenCountries(tokens.alice)).toEqual([first]);
    expect(await seenCountries(tokens.bob)).toEqual([second, third].sort());
  });

  it('shows the others the default rule, and admins every row', async () => {
    expect(await seenCountries(tokens.carol)).toEqual([third]);
    expect(await seenCountries(ADMIN_KEY)).toEqual(countries);
  });

  it('restricts a user created through the face without a role (a Sisense viewer) in JAQL', async () => {
    const email = 'dora@security.test';
    const created = await sx(app, 'POST', '/api/v1/users', { email, password: PASSWORD });
    expect(created.status, created.text).toBe(201);
    const token = await sisenseLogin(app, email, PASSWORD);
    expect(await seenCountries(token)).toEqual([third]);
    const ruled = await sx(app, 'POST', RULES, [rule([first], [{ party: created.body._id, type: 'user' }])]);
    expect(ruled.status, ruled.text).toBe(201);
    // The same token: the new rule applies to the next query, no new login needed.
    expect(await seenCountries(token)).toEqual([first]);
    expect((await sx(app, 'DELETE', `/api/v1/datasets/datasecurity/${ruled.body[0]._id}`)).status).toBe(204);
  });

  it('applies a deletion to the next query of the same session', async () => {
    const removed = await sx(app, 'DELETE', `/api/v1/datasets/datasecurity/${aliceRule}`);
    expect(removed.status, removed.text).toBe(204);
    expect(await seenCountries(tokens.alice)).toEqual([third]);
    expect((await sx(app, 'DELETE', `/api/v1/datasets/datasecurity/${aliceRule}`)).status).toBe(404);
  });

  it('shows every value but the members of an exclusionary rule', async () => {
    const created = await sx(
      app,
      'POST',
      RULES,
      rule([first], [{ party: oids.alice, type: 'user' }], { exclusionary: true }),
    );
    expect(created.status, created.text).toBe(201);
    expect(await seenCountries(tokens.alice)).toEqual(countries.filter((country) => country !== first));
  });

  it('refuses a party named twice (30003), an unknown party (30004) and a bad default (30001)', async () => {
    const twice = await sx(app, 'POST', RULES, rule([first], [{ party: oids.alice, type: 'user' }]));
    expect(twice.status).toBe(400);
    expect(sisenseError(twice).code).toBe(30003);
    const unknown = await sx(
      app,
      'POST',
      RULES,
      rule([first], [{ party: 'ffffffffffffffffffffffff', type: 'user' }]),
    );
    expect(unknown.status).toBe(400);
    expect(sisenseError(unknown)).toMatchObject({ code: 30004 });
    const mixed = await sx(
      app,
      'POST',
      RULES,
      rule([first], [{ type: 'default' }, { party: oids.carol, type: 'user' }]),
    );
    expect(sisenseError(mixed).code).toBe(30001);
    const second = await sx(app, 'POST', RULES, rule([first], [{ type: 'default' }]));
    expect(sisenseError(second).code).toBe(30001);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [rule([first], [{ type: 'default' }], { column: 'nope' }), '[0].column'],
      [rule([first], [{ type: 'default' }], { datatype: 'numeric' }), '[0].datatype'],
      [rule([first], [{ type: 'someone' }]), '[0].shares[0].type'],
      [rule([first], [{ party: 'not-an-oid', type: 'user' }]), '[0].shares[0].party'],
      [rule([first], []), '[0].shares'],
      [rule([first], [{ party: oids.carol, type: 'user' }], { exclusionary: 'yes' }), '[0].exclusionary'],
      [rule([{ a: 1 } as never], [{ party: oids.carol, type: 'user' }]), '[0].members[0]'],
      ['text', 'body'],
    ];
    for (const [body, field] of cases) {
      const answer = await sx(app, 'POST', RULES, body);
      expect(answer.status, `${field}: ${answer.text}`).toBe(400);
      expect(answer.body.error.field, answer.text).toBe(field);
    }
  });

  it("holds a source's rules in a model reading it, AND-ed with the model's own rules", async () => {
    const model = await app.request('POST', '/api/models', {
      name: 'Secured sales',
      connectionId: (await app.request('GET', '/api/connections')).body.items[0].id,
      baseTable: 'sales',
      tables: [{ name: 'sales', dataSource: uuid }],
      dimensions: [
        { name: 'country', table: 'sales', column: 'country' },
        { name: 'category', table: 'sales', column: 'category' },
      ],
    });
    expect(model.status, JSON.stringify(model.body)).toBe(201);
    const query = async (token: string) => {
      const rows = dataOf(
        await jaql(app, [{ jaql: { dim: '[sales.country]' } }, { jaql: { dim: '[sales.category]' } }], {
          token,
          cube: 'Secured sales',
        }),
      );
      return rows.map(([country, category]) => `${country}/${category}`).sort();
    };
    const pairs = (keep: (line: { country: string; category: string }) => boolean) =>
      [
        ...new Set(
          demoLines()
            .filter(keep)
            .map((line) => `${line.country}/${line.category}`),
        ),
      ].sort();
    expect(await query(tokens.carol)).toEqual(pairs((line) => line.country === third));
    const category = demoLines()[0].category;
    const path = `/api/v1/datasets/${encodeURIComponent('LocalHost/Secured sales')}/datasecurity`;
    const created = await sx(app, 'POST', path, {
      ...rule([category], [{ type: 'default' }]),
      table: 'sales',
      column: 'category',
    });
    expect(created.status, created.text).toBe(201);
    expect(await query(tokens.carol)).toEqual(
      pairs((line) => line.country === third && line.category === category),
    );
    expect((await query(ADMIN_KEY)).length).toBe(pairs(() => true).length);
  });

  it('answers 404 for a dataset that does not exist and refuses callers who may not manage it', async () => {
    expect((await sx(app, 'GET', '/api/v1/datasets/LocalHost%2Fnothing/datasecurity')).status).toBe(404);
    const viewer = await sx(app, 'POST', RULES, rule([first], [{ type: 'default' }]), {
      token: tokens.carol,
    });
    expect(viewer.status).toBe(403);
    expect((await sx(app, 'GET', RULES, undefined, { token: tokens.carol })).status).toBe(403);
    expect((await sx(app, 'GET', RULES, undefined, { token: tokens.dev })).status).toBe(200);
  });
});
