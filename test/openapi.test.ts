import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.ts';

describe('the OpenAPI document', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ demo: false });
  });
  afterAll(() => app.close());

  it('is served without credentials and documents the native API', async () => {
    const { status, body } = await app.request('GET', '/api/openapi.json', undefined, { token: '' });
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    const paths = Object.keys(body.paths);
    for (const path of [
      '/api/auth/login',
      '/api/query',
      '/api/data-sources',
      '/api/dashboards',
      '/api/users',
      '/api/jobs/{id}',
      '/api/projects',
      '/api/projects/{id}',
    ]) {
      expect(paths).toContain(path);
    }
    expect(body.paths['/api/query'].post.requestBody).toBeDefined();
  });

  it("documents the error envelope, with its reason, as every operation's other answers", async () => {
    const { body } = await app.request('GET', '/api/openapi.json', undefined, { token: '' });
    expect(Object.keys(body.components.schemas.Error.properties.error.properties)).toEqual(
      expect.arrayContaining(['code', 'reason', 'message', 'field']),
    );
    expect(body.paths['/api/query'].post.responses.default.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
  });

  it('refuses the API without credentials, with a message saying what is missing', async () => {
    const { status, body } = await app.request('GET', '/api/data-sources', undefined, { token: '' });
    expect(status).toBe(401);
    expect(body.error).toMatchObject({ code: 'ERR_UNAUTHENTICATED', reason: 'unauthenticated' });
    expect(body.error.message).toMatch(/Bearer/);
  });
});
