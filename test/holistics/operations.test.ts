import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../src/http/dialects/holistics/openapi.ts';
import { holisticsPermissions } from '../../src/http/dialects/holistics/permissions.ts';
import { HOLISTICS_PREFIX } from '../../src/http/dialects/holistics/routes.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { hx, NO_RATE_LIMITS } from './support.ts';

/** Routes the OpenAPI document omits but the vendor's guides use. */
const UNDOCUMENTED = ['GET /holistics/api/v2/data_sets'];

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
}, 60_000);
afterAll(() => app?.close());

describe('the Holistics face against its OpenAPI document', () => {
  it('has a route, with its permission row, for every documented operation, and no other', () => {
    const documented = [...operations.values()].map((op) => `${op.method} ${HOLISTICS_PREFIX}/v2${op.url}`);
    const routes = app.rosetta.server.registeredRoutes
      .map((route) => `${route.method} ${route.url}`)
      .filter((key) => key.split(' ')[1].startsWith(`${HOLISTICS_PREFIX}/`) && !key.endsWith('/*'));
    expect(documented.filter((key) => !routes.includes(key))).toEqual([]);
    expect(routes.filter((key) => !documented.includes(key) && !UNDOCUMENTED.includes(key))).toEqual([]);
    // Besides the operations, the table holds the face's catch-all, whose answer is its 404.
    expect(Object.keys(holisticsPermissions).sort()).toEqual(
      [...documented, ...UNDOCUMENTED, `GET ${HOLISTICS_PREFIX}/*`].sort(),
    );
  });

  it('answers a missing key with 401 AuthError and an unknown key with 401 too', async () => {
    const missing = await hx(app, 'GET', '/users/me', undefined, { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ type: 'AuthError' });
    const unknown = await hx(app, 'GET', '/users/me', undefined, { key: 'not-a-key' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.type).toBe('AuthError');
  });

  it('answers an unknown route with a 404 in its error envelope', async () => {
    const answer = await hx(app, 'GET', '/no_such_things');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ type: 'BaseError', message: expect.any(String) });
  });

  it('names the field of a request that breaks the document with a 422 InvalidParameterError', async () => {
    const answer = await hx(app, 'GET', '/users?limit=101');
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ type: 'InvalidParameterError', details: { field: 'limit' } });
    const zero = await hx(app, 'GET', '/users?limit=0');
    expect(zero.status).toBe(422);
  });
});
