import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DASHBOARD_NAME } from '../../src/core/content/index.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createTempPostgres, type TempDatabase } from '../support/databases.ts';
import { seren, waitTask } from './support.ts';

/** The face's own tables (embed tokens, scripts) and its write paths on a PostgreSQL metadata store. */
let database: TempDatabase;
let app: TestApp;
beforeAll(async () => {
  database = await createTempPostgres();
  if (database.available) app = await startTestApp({ databaseUrl: database.url });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('Serenytics face on PostgreSQL', () => {
  it('embeds, counts uses, stores scripts and runs an async batch', async (context) => {
    if (!database.available) return context.skip();
    const dashboard = (await seren(app, 'GET', '/api/web_app')).body.objects.find(
      (o: { name: string }) => o.name === DEMO_DASHBOARD_NAME,
    ).uuid;
    const embed = await seren(app, 'POST', `/api/web_app/${dashboard}/embed`, {
      expire_in: 60,
      payload: {},
      nb_max_embed: 1,
    });
    const path = `/api/web_app/${dashboard}?embeddedPayload=${embed.body.embeddedPayload}`;
    expect((await seren(app, 'GET', path, undefined, { key: null })).status).toBe(200);
    expect((await seren(app, 'GET', path, undefined, { key: null })).status).toBe(403);

    const script = await seren(app, 'POST', '/api/script', {
      name: 's',
      code: 'print(1)',
      language: 'python',
    });
    expect(script.status).toBe(201);
    expect((await seren(app, 'POST', `/api/script/${script.body.uuid}/token`)).status).toBe(201);

    const source = await seren(app, 'POST', '/api/data_source', {
      name: 'pg',
      type: 'Storage',
      jsonContent: {},
    });
    const batch = await seren(app, 'POST', `/api/data_source/${source.body.uuid}/batch`, {
      operations: [{ action: 'insert', rows: [{ id: 1 }] }],
    });
    expect((await waitTask(app, batch.body.task_id)).body.status).toBe('ok');
  }, 60_000);
});
