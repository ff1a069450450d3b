import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COLUMNS, DEMO_COUNTRIES, demoRows } from '../../src/core/data/index.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { seren } from './support.ts';

interface Source {
  id: number;
  uuid: string;
  name: string;
}

let app: TestApp;
let base: string;
let demo: Source;
let other: Source;
let dataKey: string;

beforeAll(async () => {
  app = await startTestApp();
  // The doc's Python examples call the API over HTTP, so this suite uses a real listening server.
  base = `${await app.rosetta.server.listen({ port: 0, host: '127.0.0.1' })}/serenytics/data-api`;
  const created = await seren(app, 'POST', '/api/data_source', { name: 'partner_secret', type: 'Storage' });
  await seren(app, 'POST', `/api/data_source/${created.body.uuid}/reload`, [{ code: 'hidden', amount: 7 }]);
  const sources: Source[] = (await app.request('GET', '/api/data-sources')).body.items;
  demo = sources.find((source) => source.name === 'demo_sales') as Source;
  other = sources.find((source) => source.name === 'partner_secret') as Source;
  const key = await app.request('POST', '/api/api-keys', { name: 'partner', dataSourceIds: [demo.id] });
  dataKey = key.body.key;
}, 120_000);
afterAll(() => app?.close());

const dataApi = (method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY) =>
  seren(app, method, `/data-api${path}`, body, { key });

describe('the data-api routes', () => {
  it('lists the sources a full key can read, with their uuid and name', async () => {
    const answer = await dataApi('GET', '/datasources_list');
    expect(answer.status).toBe(200);
    expect(answer.body.map((s: Source) => s.name)).toEqual(['demo_sales', 'partner_secret']);
    expect(answer.body[0]).toMatchObject({ uuid: demo.uuid, type: 'Storage' });
  });

  it('describes the columns of a source in Serenytics types', async () => {
    const answer = await dataApi('POST', `/query-model/${demo.uuid}`);
    expect(answer.status).toBe(200);
    expect(answer.body.uuid).toBe(demo.uuid);
    expect(answer.body.columns.map((c: { name: string }) => c.name)).toEqual(DEMO_COLUMNS.map((c) => c.name));
    expect(answer.body.columns).toContainEqual({ name: 'quantity', type: 'int' });
  });

  it('answers every column as CSV by default, capped at the Serenytics row cap', async () => {
    const response = await app.rosetta.server.inject({
      method: 'POST',
      url: `/serenytics/data-api/query-data/${other.uuid}`,
      headers: { 'x-api-key': ADMIN_KEY },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.body.split('\r\n')).toEqual(['code,amount', 'hidden,7', '']);

    const all = await dataApi('POST', `/query-data/${demo.uuid}`, {});
    const lines = (all.body as string).trim().split('\r\n');
    expect(lines[0]).toBe(DEMO_COLUMNS.map((c) => c.name).join(','));
    expect(lines).toHaveLength(20_001);
  });

  it('aggregates and filters with the formatted_data pipeline, as JSON', async () => {
    const answer = await dataApi('POST', `/query-data/${demo.uuid}`, {
      format: 'json',
      data_processing_pipeline: [
        {
          group_by: ['country'],
          select: [{ name: 'quantity', agg_function: 'sum' }],
          where: [{ name: 'price', op: '>', value: 20 }],
          order_by: [{ name: 'country' }],
        },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.columns).toEqual(['country', 'quantity']);
    const expected = new Map<string, number>();
    for (const [, country, , , quantity, price] of demoRows()) {
      if ((price as number) > 20)
        expected.set(country as string, (expected.get(country as string) ?? 0) + (quantity as number));
    }
    expect(answer.body.data).toEqual([...expected.entries()].sort(([a], [b]) => a.localeCompare(b)));

    const byColumn = await dataApi('POST', `/query-data/${demo.uuid}`, {
      format: 'json',
      order: 'column_by_column',
      data_processing_pipeline: [{ group_by: ['country'], select: ['country'], order_by: ['country'] }],
    });
    expect(byColumn.body.data).toEqual([[...DEMO_COUNTRIES].sort()]);
  });

  it('refuses bad requests with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ format: 'xml' }, 'format: must be "csv" or "json"'],
      [{ order: 'sideways', format: 'json' }, 'order: must be "row_by_row" or "column_by_column"'],
      [{ order: 'column_by_column' }, 'order: column_by_column needs "format": "json"'],
      [{ data_processing_pipeline: [{ limit: -1 }] }, 'data_processing_pipeline[0].limit'],
      [{ data_processing_pipeline: [{ select: ['nope'] }] }, 'unknown column "nope"'],
      [{ query: 'select 1' }, 'query: is not a known property'],
    ];
    for (const [body, message] of cases) {
      const answer = await dataApi('POST', `/query-data/${demo.uuid}`, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.errors[0]).toContain(message);
    }
  });

  it('answers 404 for an unknown source and 401 without a valid key', async () => {
    expect((await dataApi('POST', '/query-data/no-such-source')).status).toBe(404);
    expect((await dataApi('POST', '/query-model/no-such-source')).status).toBe(404);
    expect((await dataApi('GET', '/datasources_list', undefined, null)).status).toBe(401);
    const bad = await dataApi('POST', `/query-data/${demo.uuid}`, undefined, 'rst_not-a-key');
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ status: 'error', errors: ['invalid credentials'] });
  });
});

describe('a data-API key', () => {
  it('sees and queries only its sources', async () => {
    const list = await dataApi('GET', '/datasources_list', undefined, dataKey);
    expect(list.body.map((s: Source) => s.uuid)).toEqual([demo.uuid]);
    const rows = await dataApi('POST', `/query-data/${demo.uuid}`, { format: 'json' }, dataKey);
    expect(rows.status).toBe(200);
    expect(rows.body.data).toHaveLength(20_000);

    for (const path of [`/query-model/${other.uuid}`, `/query-data/${other.uuid}`]) {
      const refused = await dataApi('POST', path, { format: 'json' }, dataKey);
      expect(refused.status).toBe(404);
      expect(JSON.stringify(refused.body)).not.toContain('hidden');
    }
  });

  it('cannot change anything through /serenytics/api', async () => {
    const dashboard = (await seren(app, 'GET', '/api/web_app')).body.objects[0].uuid;
    const writes: [string, string, unknown][] = [
      ['POST', '/api/data_source', { name: 'sneaky', type: 'Storage' }],
      ['PUT', `/api/data_source/${demo.uuid}`, { name: 'renamed' }],
      ['POST', `/api/data_source/${demo.uuid}/reload`, [{ code: 'x' }]],
      ['POST', `/api/data_source/${demo.uuid}/batch`, { operations: [], async_: false }],
      ['DELETE', `/api/data_source/${demo.uuid}`, undefined],
      ['PUT', `/api/web_app/${dashboard}`, { name: 'renamed' }],
      ['DELETE', `/api/web_app/${dashboard}`, undefined],
      ['POST', '/api/folder', { name: 'sneaky', resource_type: 'webapp' }],
      ['POST', '/api/user', { username: 'sneaky@example.com', category: 'admin' }],
      ['POST', '/api/script', { name: 'sneaky', code: 'print(1)', language: 'python' }],
    ];
    for (const [method, path, body] of writes) {
      const answer = await seren(app, method, path, body, { key: dataKey });
      expect([403, 404], `${method} ${path}`).toContain(answer.status);
    }
    const still = await app.request('GET', `/api/data-sources/${demo.id}`);
    expect(still.body.name).toBe('demo_sales');
    expect((await seren(app, 'GET', `/api/web_app/${dashboard}`)).status).toBe(200);
    const folderNames = (await seren(app, 'GET', '/api/folder')).body.objects.map(
      (f: { name: string }) => f.name,
    );
    expect(folderNames).not.toContain('sneaky');
  });
});

describe("the doc's Python examples", () => {
  const run = async (script: string) => {
    const { stdout } = await promisify(execFile)(
      'python3',
      ['-c', `URL = ${JSON.stringify(base)}\nAPI_KEY = ${JSON.stringify(dataKey)}\n${script}`],
      { env: { PATH: process.env.PATH } },
    );
    return stdout.trim().split('\n');
  };

  it('lists the data sources of the key', async () => {
    const lines = await run(`
import requests

headers = {"x-api-key": API_KEY}

url = f"{URL}/datasources_list"
res = requests.get(url, headers=headers)
print(res.status_code)

if res.status_code == 200:
    response_json = res.json()
    print([source["name"] for source in response_json])
`);
    expect(lines).toEqual(['200', "['demo_sales']"]);
  }, 30_000);

  it('reads the model of a source', async () => {
    const lines = await run(`
import json
import requests

headers = {"x-api-key": API_KEY}
DATASOURCE_UUID = ${JSON.stringify(demo.uuid)}

url = f"{URL}/query-model/{DATASOURCE_UUID}"
res = requests.post(url, headers=headers)

if res.status_code == 200:
    response_json = res.json()
    print(json.dumps(response_json["columns"][4]))
`);
    expect(lines).toEqual(['{"name": "quantity", "type": "int"}']);
  }, 30_000);

  it('queries the data as CSV and as JSON', async () => {
    const lines = await run(`
import requests

headers = {"x-api-key": API_KEY}
DATASOURCE_UUID = ${JSON.stringify(demo.uuid)}

url = f"{URL}/query-data/{DATASOURCE_UUID}"
payload = {
    "data_processing_pipeline": [{
        "group_by": ["category"],
        "select": [{"name": "quantity", "agg_function": "sum"}],
        "order_by": [{"name": "quantity", "agg_function": "sum", "direction": "desc"}],
        "limit": 2,
    }],
}
res = requests.post(url, headers=headers, json=payload)
print(res.status_code, res.headers["content-type"])
print(res.text.splitlines()[0])

res = requests.post(url, headers=headers, json={**payload, "format": "json"})
print(res.status_code, len(res.json()["data"]))
`);
    expect(lines).toEqual(['200 text/csv; charset=utf-8', 'category,quantity', '200 2']);
  }, 30_000);
});

describe('join sources in the data-api', () => {
  let regions: Source;
  let join: string;
  beforeAll(async () => {
    const created = await seren(app, 'POST', '/api/data_source', { name: 'regions', type: 'Storage' });
    await seren(app, 'POST', `/api/data_source/${created.body.uuid}/reload`, [
      { country: DEMO_COUNTRIES[0], region: 'West' },
    ]);
    const sources: Source[] = (await app.request('GET', '/api/data-sources')).body.items;
    regions = sources.find((source) => source.name === 'regions') as Source;
    const joined = await seren(app, 'POST', '/api/data_source', {
      name: 'sales_by_region',
      type: 'Join',
      jsonContent: {
        joinConfig: {
          base: demo.uuid,
          joins: [
            {
              source: regions.uuid,
              type: 'inner',
              on: [{ left: `${demo.uuid}.country`, right: `${regions.uuid}.country` }],
            },
          ],
        },
      },
    });
    expect(joined.status).toBe(201);
    join = joined.body.uuid;
  });

  it('lists, describes and queries a join for a full key', async () => {
    const list = await dataApi('GET', '/datasources_list');
    expect(list.body).toContainEqual(
      expect.objectContaining({ uuid: join, name: 'sales_by_region', type: 'Join' }),
    );
    const model = await dataApi('POST', `/query-model/${join}`);
    expect(model.status).toBe(200);
    expect(model.body.columns).toContainEqual({ name: `${regions.uuid}.region`, type: 'str' });
    const rows = await dataApi('POST', `/query-data/${join}`, {
      format: 'json',
      data_processing_pipeline: [
        { group_by: [`${regions.uuid}.region`], select: [{ name: '$$count$$', agg_function: 'sum' }] },
      ],
    });
    expect(rows.status).toBe(200);
    expect(rows.body.columns).toEqual([`${regions.uuid}.region`, '$$count$$']);
    expect(rows.body.data).toEqual([['West', expect.any(Number)]]);
  });

  it('shows a join to a data-API key only when every source of it is among the key sources', async () => {
    const list = await dataApi('GET', '/datasources_list', undefined, dataKey);
    expect(list.body.map((s: Source) => s.uuid)).toEqual([demo.uuid]);
    for (const path of [`/query-model/${join}`, `/query-data/${join}`]) {
      expect((await dataApi('POST', path, { format: 'json' }, dataKey)).status).toBe(404);
    }
    const both = await app.request('POST', '/api/api-keys', {
      name: 'both',
      dataSourceIds: [demo.id, regions.id],
    });
    const key = both.body.key;
    const listed = await dataApi('GET', '/datasources_list', undefined, key);
    expect(listed.body.map((s: Source) => s.name).sort()).toEqual([
      'demo_sales',
      'regions',
      'sales_by_region',
    ]);
    const rows = await dataApi('POST', `/query-data/${join}`, { format: 'json' }, key);
    expect(rows.status).toBe(200);
    expect(rows.body.data.length).toBeGreaterThan(0);
  });
});
