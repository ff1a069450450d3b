import { afterAll, describe, expect, it } from 'vitest';
import { seren } from './serenytics/support.ts';
import { startTestApp } from './support/app.ts';

/**
 * Clients call action routes with `Content-Type: application/json` and no body at all; that is
 * no body, not "Body cannot be empty". Bodies that are there are still parsed strictly.
 */
describe('an empty JSON body', async () => {
  const app = await startTestApp({ demo: false });
  afterAll(() => app.close());

  it('is accepted by a native action route (dashboard version restore)', async () => {
    const created = await app.request('POST', '/api/dashboards', { name: 'Ops' });
    expect(created.status).toBe(201);
    const { id } = created.body;
    expect((await app.request('PATCH', `/api/dashboards/${id}`, { description: 'daily' })).status).toBe(200);

    const restored = await app.request('POST', `/api/dashboards/${id}/versions/1/restore`, undefined, {
      raw: '',
    });
    expect(restored).toMatchObject({ status: 200, body: { version: 3, description: null } });
  });

  it('is accepted by a Serenytics action route (script run) as no arguments', async () => {
    const created = await seren(app, 'POST', '/api/script', {
      name: 'args',
      language: 'javascript',
      code: 'console.log(process.env.ROSETTA_SCRIPT_ARGS)',
    });
    expect(created.status).toBe(201);
    const run = await seren(app, 'POST', `/api/script/${created.body.uuid}/run?async_=false`, undefined, {
      raw: '',
    });
    expect(run).toMatchObject({ status: 200, body: { status: 'ok', return_code: 0 } });
    expect(run.body.stdout).toBe('{}\n');
  });

  it('is a 400 naming the body on a route that needs one', async () => {
    const answer = await app.request('POST', '/api/dashboards', undefined, { raw: '' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'ERR_VALIDATION', field: 'body' });
  });

  it('leaves malformed JSON and prototype poisoning a 400', async () => {
    for (const raw of ['{"name":', ' ', 'null x', '{"__proto__": {"admin": true}, "name": "x"}']) {
      const answer = await app.request('POST', '/api/dashboards', undefined, { raw });
      expect(answer.status, raw).toBe(400);
      expect(answer.body.error.code, raw).toBe('ERR_VALIDATION');
    }
  });
});
