import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

let app: TestApp;
let viewer: { id: number; key: string };
let groupId: number;

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  const created = await app.request('POST', '/api/users', {
    email: 'ada.viewer@example.com',
    role: 'viewer',
    password: 'viewer password 123',
  });
  const key = (await app.request('POST', '/api/api-keys', { name: 'attributes', userId: created.body.id }))
    .body.key;
  viewer = { id: created.body.id, key };
  groupId = (await app.request('POST', '/api/groups', { name: 'EU team' })).body.id;
  await app.request('POST', `/api/groups/${groupId}/members`, { userId: viewer.id });
}, 60_000);
afterAll(() => app?.close());

/**
 * One entry of an upsert. The document's schema requires both `user_attribute_id` and
 * `user_attribute_name` (its prose says either), so entries carry both, as it validates them.
 */
const entry = (
  attribute: { id: number; name: string },
  subject: 'User' | 'Group',
  id: number,
  rest: Record<string, unknown>,
) => ({
  user_attribute_id: attribute.id,
  user_attribute_name: attribute.name,
  subject_type: subject,
  subject_id: id,
  ...rest,
});

describe('Holistics user attributes', () => {
  it('creates, lists, updates and deletes attributes; the native API agrees', async () => {
    const created = await hx(app, 'POST', '/user_attributes', {
      user_attribute: {
        name: 'tier',
        attribute_type: 'number',
        label: 'Plan tier',
        description: 'Plan tier',
      },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      status: 'created',
      user_attribute: {
        name: 'tier',
        attribute_type: 'number',
        label: 'Plan tier',
        description: 'Plan tier',
        is_system_attribute: false,
      },
    });
    const { id } = created.body.user_attribute;
    expect((await app.request('GET', `/api/attributes/${id}`)).body).toMatchObject({
      key: 'tier',
      type: 'number',
    });

    const updated = await hx(app, 'PUT', `/user_attributes/${id}`, {
      user_attribute: { name: 'tier', attribute_type: 'string', label: 'Tier', description: 'Plan' },
    });
    expect(updated.body.user_attribute).toMatchObject({
      id,
      attribute_type: 'string',
      label: 'Tier',
      description: 'Plan',
    });
    const renamed = await hx(app, 'PUT', `/user_attributes/${id}`, {
      user_attribute: { name: 'other', attribute_type: 'string', label: 'x' },
    });
    expect(renamed.status).toBe(422);
    expect(renamed.body.details.field).toBe('user_attribute.name');

    const listed = await hx(app, 'GET', '/user_attributes');
    expect(listed.body.user_attributes.map((attribute: { id: number }) => attribute.id)).toContain(id);
    expect(listed.body.cursors).toEqual({ previous: null, next: null });

    expect((await hx(app, 'DELETE', `/user_attributes/${id}`)).status).toBe(200);
    expect((await app.request('GET', `/api/attributes/${id}`)).status).toBe(404);
    expect((await hx(app, 'DELETE', `/user_attributes/${id}`)).status).toBe(404);
  });

  it('refuses an unknown type and a taken name, naming the field', async () => {
    const badType = await hx(app, 'POST', '/user_attributes', {
      user_attribute: { name: 'colour', attribute_type: 'rainbow', label: 'Colour' },
    });
    expect(badType.status).toBe(422);
    expect(badType.body.details.field).toBe('user_attribute.attribute_type');
    await hx(app, 'POST', '/user_attributes', {
      user_attribute: { name: 'dup', attribute_type: 'string', label: 'd' },
    });
    const taken = await hx(app, 'POST', '/user_attributes', {
      user_attribute: { name: 'dup', attribute_type: 'string', label: 'd' },
    });
    expect(taken.status).toBe(422);
    expect(taken.body.type).toBe('RecordError');
  });

  it('upserts entries: manual values, inherit from groups; computed values are what row security uses', async () => {
    const region = (
      await hx(app, 'POST', '/user_attributes', {
        user_attribute: { name: 'region', attribute_type: 'string', label: 'Region' },
      })
    ).body.user_attribute;
    const groupSet = await hx(app, 'PUT', '/user_attribute_entries/upsert', {
      user_attribute_entries: [
        entry(region, 'Group', groupId, { input_type: 'manual', values: ['EU', 'UK'] }),
      ],
    });
    expect(groupSet.status).toBe(200);
    expect(groupSet.body.user_attribute_entries[0]).toMatchObject({
      user_attribute_id: region.id,
      input_type: 'manual',
      subject_type: 'Group',
      subject_id: groupId,
    });

    const inherits = await hx(
      app,
      'GET',
      `/user_attribute_entries?subject_type=User&subject_id=${viewer.id}`,
    );
    const own = inherits.body.user_attribute_entries.find(
      (each: { user_attribute_id: number }) => each.user_attribute_id === region.id,
    );
    expect(own.input_type).toBe('inherit');
    const computed = await hx(
      app,
      'GET',
      `/user_attribute_entries/computed_values?subject_type=User&subject_id=${viewer.id}`,
    );
    expect(computed.body.user_attribute_values.region).toEqual(['EU', 'UK']);

    await hx(app, 'PUT', '/user_attribute_entries/upsert', {
      user_attribute_entries: [entry(region, 'User', viewer.id, { input_type: 'manual', values: ['US'] })],
    });
    const overridden = await hx(
      app,
      'GET',
      `/user_attribute_entries/computed_values?subject_type=User&subject_id=${viewer.id}`,
    );
    expect(overridden.body.user_attribute_values.region).toEqual(['US']);
    // The native API and the principal row policies read agree.
    const native = (await app.request('GET', `/api/users/${viewer.id}/attributes`)).body;
    expect(native.effective.region).toEqual(['US']);
    expect((await app.rosetta.services.auth.authenticate(viewer.key)).attributes.region).toEqual(['US']);

    await hx(app, 'PUT', '/user_attribute_entries/upsert', {
      user_attribute_entries: [entry(region, 'User', viewer.id, { input_type: 'inherit' })],
    });
    const back = await hx(
      app,
      'GET',
      `/user_attribute_entries/computed_values?subject_type=User&subject_id=${viewer.id}`,
    );
    expect(back.body.user_attribute_values.region).toEqual(['EU', 'UK']);

    const groupEntries = await hx(
      app,
      'GET',
      `/user_attribute_entries?subject_type=Group&subject_id=${groupId}`,
    );
    expect(groupEntries.body.user_attribute_entries).toEqual([
      expect.objectContaining({ user_attribute_id: region.id, input_type: 'manual', values: ['EU', 'UK'] }),
    ]);
  });

  it('refuses `all`, unknown attributes and subjects, and bad values, writing nothing', async () => {
    const score = (
      await hx(app, 'POST', '/user_attributes', {
        user_attribute: { name: 'score', attribute_type: 'number', label: 'Score' },
      })
    ).body.user_attribute;
    const all = await hx(app, 'PUT', '/user_attribute_entries/upsert', {
      user_attribute_entries: [entry(score, 'User', viewer.id, { input_type: 'all' })],
    });
    expect(all.status).toBe(422);
    expect(all.body).toMatchObject({
      type: 'InvalidOperationError',
      details: { field: 'user_attribute_entries[0].input_type' },
    });
    const badValue = await hx(app, 'PUT', '/user_attribute_entries/upsert', {
      user_attribute_entries: [
        entry(score, 'Group', groupId, { input_type: 'manual', values: ['1.50'] }),
        entry(score, 'User', viewer.id, { input_type: 'manual', values: ['lots'] }),
      ],
    });
    expect(badValue.status).toBe(422);
    expect(badValue.body.details.field).toBe('user_attribute_entries[1].values[0]');
    // All or nothing: the valid first entry was not written either.
    const groupValues = (await app.request('GET', `/api/groups/${groupId}/attributes`)).body;
    expect(groupValues.attributes?.score ?? groupValues.score).toBeUndefined();
    const mismatched = await hx(app, 'PUT', '/user_attribute_entries/upsert', {
      user_attribute_entries: [entry({ id: score.id, name: 'region' }, 'User', viewer.id, { values: ['1'] })],
    });
    expect(mismatched.status).toBe(422);
    expect(mismatched.body.details.field).toBe('user_attribute_entries[0].user_attribute_name');
    const unknown = await hx(app, 'PUT', '/user_attribute_entries/upsert', {
      user_attribute_entries: [entry({ id: 999999, name: 'nope' }, 'User', viewer.id, { values: ['x'] })],
    });
    expect(unknown.status).toBe(422);
    const noUser = await hx(app, 'PUT', '/user_attribute_entries/upsert', {
      user_attribute_entries: [entry(score, 'User', 999999, { values: ['1'] })],
    });
    expect(noUser.status).toBe(404);
    const canonical = await hx(app, 'PUT', '/user_attribute_entries/upsert', {
      user_attribute_entries: [entry(score, 'Group', groupId, { values: ['1.50'] })],
    });
    expect(canonical.body.user_attribute_entries[0].values).toEqual(['1.5']);
  });

  it('lets users read their own entries, refuses them others’ and every change', async () => {
    const { key } = viewer;
    const mine = await hx(
      app,
      'GET',
      `/user_attribute_entries/computed_values?subject_type=User&subject_id=${viewer.id}`,
      undefined,
      { key },
    );
    expect(mine.status).toBe(200);
    expect((await hx(app, 'GET', '/user_attributes', undefined, { key })).status).toBe(200);
    const others = await hx(app, 'GET', '/user_attribute_entries?subject_type=User&subject_id=1', undefined, {
      key,
    });
    expect(others.status).toBe(403);
    const group = await hx(
      app,
      'GET',
      `/user_attribute_entries?subject_type=Group&subject_id=${groupId}`,
      undefined,
      { key },
    );
    expect(group.status).toBe(403);
    const upsert = await hx(
      app,
      'PUT',
      '/user_attribute_entries/upsert',
      {
        user_attribute_entries: [entry({ id: 1, name: 'region' }, 'User', viewer.id, { values: ['ALL'] })],
      },
      { key },
    );
    expect(upsert.status).toBe(403);
    const create = await hx(
      app,
      'POST',
      '/user_attributes',
      {
        user_attribute: { name: 'sneaky', attribute_type: 'string', label: 's' },
      },
      { key },
    );
    expect(create.status).toBe(403);
  });

  it('answers odd subjects with a 4xx naming the field, never a 500', async () => {
    for (const query of [
      'subject_type=User&subject_id=1.5',
      'subject_type=User&subject_id=-1',
      'subject_type=Group&subject_id=1e300',
      'subject_type=Robot&subject_id=1',
      'subject_type=User',
      'subject_type=User&subject_id=abc',
    ]) {
      for (const path of ['/user_attribute_entries', '/user_attribute_entries/computed_values']) {
        const answer = await hx(app, 'GET', `${path}?${query}`);
        expect(answer.status, `${path}?${query}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, `${path}?${query}`).toBeLessThan(500);
      }
    }
  });
});
