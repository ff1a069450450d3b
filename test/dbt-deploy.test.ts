// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Lightdash's SQL placeholders
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/commands.ts';
import { dbtCommand } from '../src/cli/dbt.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from './support/app.ts';

/**
 * Models as code: the demo dbt project (examples/dbt-demo, Lightdash meta with a join, metrics
 * and an attribute-based sql_filter) deploys through the native route, answers as plain SQL over
 * the same tables does, restricts a user's rows by attribute, and exports back to files that
 * deploy to the same models.
 */
const demoDir = join(import.meta.dirname, '..', 'examples', 'dbt-demo');
const demoFiles = readdirSync(demoDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => {
    const path = join(entry.parentPath, entry.name);
    return { path: relative(demoDir, path), content: readFileSync(path, 'utf8') };
  });

let app: TestApp;
let projectId: number;
let storageTable: string;

const definitionOf = async (name: string) => {
  const { status, body } = await app.request('GET', `/api/models/${name}`);
  expect(status).toBe(200);
  const { baseTable, tables, joins, dimensions, metrics, policies } = body;
  return { baseTable, tables, joins, dimensions, metrics, policies };
};

/** Rows of the SQL console, as `key → [numbers]`. */
async function sqlRows(sql: string): Promise<Map<string, number[]>> {
  const answer = await app.request('POST', '/api/connections/1/sql', { sql });
  expect(answer.status).toBe(200);
  return new Map(
    answer.body.rows.map(([key, ...values]: [string, ...number[]]) => [key, values.map(Number)]),
  );
}

const regionsSql = readFileSync(join(demoDir, 'models', 'regions.sql'), 'utf8');

async function queryByKey(body: object, token?: string): Promise<Map<string, number[]>> {
  const answer = await app.request('POST', '/api/query', body, { token });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return new Map(
    answer.body.rows.map(([key, ...values]: [string, ...number[]]) => [key, values.map(Number)]),
  );
}

function expectClose(actual: Map<string, number[]>, expected: Map<string, number[]>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, values] of expected) {
    values.forEach((value, i) => {
      expect(Math.abs((actual.get(key)?.[i] ?? Number.NaN) - value)).toBeLessThanOrEqual(
        Math.abs(value) * 1e-9,
      );
    });
  }
}

async function login(email: string, role: string, countries?: string[]): Promise<string> {
  const password = 'dbt user password 1';
  const user = await app.request('POST', '/api/users', { email, role, password });
  expect(user.status).toBe(201);
  if (countries)
    await app.request('PUT', `/api/users/${user.body.id}/attributes`, { attributes: { country: countries } });
  return (await app.request('POST', '/api/auth/login', { email, password })).body.token;
}

beforeAll(async () => {
  app = await startTestApp();
  projectId = (await app.request('GET', '/api/projects')).body.items.find(
    (p: { isDefault: boolean }) => p.isDefault,
  ).id;
  const sources = await app.request('GET', '/api/data-sources');
  storageTable = sources.body.items.find((s: { name: string }) => s.name === 'demo_sales').table;
  expect(storageTable).toBeTruthy();
  expect((await app.request('POST', '/api/attributes', { key: 'country', type: 'string' })).status).toBe(201);
}, 120_000);
afterAll(() => app?.close());

describe('the demo dbt project', () => {
  it('deploys: the demo source is found, the SQL model becomes a source, both become models', async () => {
    const { status, body } = await app.request('POST', `/api/projects/${projectId}/dbt`, {
      files: demoFiles,
    });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.dataSources.map((s: { model: string; action: string }) => [s.model, s.action])).toEqual([
      ['demo_sales', 'found'],
      ['regions', 'created'],
    ]);
    expect(body.models.map((m: { name: string; action: string }) => [m.name, m.action])).toEqual([
      ['demo_sales', 'created'],
      ['regions', 'created'],
    ]);
    const sales = await definitionOf('demo_sales');
    expect(sales.policies).toEqual([{ field: 'demo_sales.country', attribute: 'country' }]);
    expect(sales.joins).toEqual([
      { table: 'regions', type: 'left', on: [{ left: 'demo_sales.country', right: 'regions.country' }] },
    ]);
    expect(sales.metrics.find((m: { name: string }) => m.name === 'margin_rate')).toMatchObject({
      formula: 'margin / revenue',
    });
  });

  it('answers as plain SQL over the same tables does', async () => {
    const answer = await queryByKey({
      source: 'demo_sales',
      dimensions: [{ field: 'regions.region', alias: 'region' }],
      metrics: [
        { metric: 'revenue', alias: 'revenue' },
        { metric: 'margin', alias: 'margin' },
        { metric: 'units_sold', alias: 'units_sold' },
        { metric: 'order_lines', alias: 'order_lines' },
        { metric: 'electronics_revenue', alias: 'electronics_revenue' },
        { metric: 'countries', alias: 'countries' },
        { metric: 'margin_rate', alias: 'margin_rate' },
      ],
    });
    const expected = await sqlRows(`
      SELECT r.region, SUM(s.price * s.quantity), SUM((s.price - s.cost_of_goods) * s.quantity),
        SUM(s.quantity), COUNT(s.quantity),
        SUM(CASE WHEN s.category = 'Electronics' THEN s.price * s.quantity END),
        COUNT(DISTINCT r.country),
        SUM((s.price - s.cost_of_goods) * s.quantity) / SUM(s.price * s.quantity)
      FROM storage."${storageTable}" s LEFT JOIN (${regionsSql}) r ON s.country = r.country
      GROUP BY r.region`);
    expect(expected.size).toBe(6);
    expectClose(answer, expected);
  });

  it('shows a user only the rows of their country attribute; none without it; all to an admin', async () => {
    const french = await login('fr.analyst@example.com', 'interactive_viewer', ['France', 'Spain']);
    const query = {
      source: 'demo_sales',
      dimensions: [{ field: 'country', alias: 'country' }],
      metrics: [{ metric: 'revenue', alias: 'revenue' }],
    };
    const expected = await sqlRows(`
      SELECT country, SUM(price * quantity) FROM storage."${storageTable}"
      WHERE country IN ('France', 'Spain') GROUP BY country`);
    expectClose(await queryByKey(query, french), expected);
    const nobody = await login('no.country@example.com', 'interactive_viewer');
    expect((await queryByKey(query, nobody)).size).toBe(0);
    expect((await queryByKey(query)).size).toBe(20);
  });

  it('exports files that deploy back to the same models, and export again to the same files', async () => {
    const before = { sales: await definitionOf('demo_sales'), regions: await definitionOf('regions') };
    const exported = await app.request('GET', `/api/projects/${projectId}/dbt`);
    expect(exported.status).toBe(200);
    expect(exported.body.files.map((f: { path: string }) => f.path).sort()).toEqual([
      'models/regions.sql',
      'models/schema.yml',
    ]);
    const again = await app.request('POST', `/api/projects/${projectId}/dbt`, { files: exported.body.files });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.models.map((m: { action: string }) => m.action)).toEqual(['updated', 'updated']);
    expect({ sales: await definitionOf('demo_sales'), regions: await definitionOf('regions') }).toEqual(
      before,
    );
    const second = await app.request('GET', `/api/projects/${projectId}/dbt`);
    expect(second.body.files).toEqual(exported.body.files);
  });

  it('deploys a manifest, finding the source by its relation', async () => {
    const project = await app.request('POST', '/api/projects', { name: 'From manifest' });
    expect(project.status).toBe(201);
    const manifest = {
      nodes: {
        'model.shop.lines': {
          name: 'lines',
          schema: 'storage',
          alias: storageTable,
          columns: { country: { name: 'country' }, quantity: { name: 'quantity' } },
          config: { meta: { metrics: { lines_quantity: { type: 'sum', sql: '${TABLE}.quantity' } } } },
        },
        'test.shop.not_null': { name: 'not_null' },
      },
    };
    const { status, body } = await app.request('POST', `/api/projects/${project.body.id}/dbt`, { manifest });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.dataSources[0]).toMatchObject({ model: 'lines', name: 'demo_sales', action: 'found' });
    const lines = await definitionOf('lines');
    expect(lines.metrics).toEqual([
      { name: 'lines_quantity', table: 'lines', aggregation: 'sum', column: 'quantity' },
    ]);
    const listed = await app.request('GET', `/api/models?project=${project.body.id}`);
    expect(listed.body.items.map((m: { name: string }) => m.name)).toEqual(['lines']);
  });
});

describe('refusals', () => {
  const schemaWith = (metricType: string) => [
    {
      path: 'models/bad.yml',
      content: [
        'models:',
        '  - name: bad_lines',
        '    config: {alias: demo_sales}',
        '    columns:',
        '      - name: country',
        '      - name: quantity',
        '        meta:',
        '          metrics:',
        `            total: {type: ${metricType}}`,
      ].join('\n'),
    },
  ];

  it('names the file, the model and the field of a bad value', async () => {
    const { status, body } = await app.request('POST', `/api/projects/${projectId}/dbt`, {
      files: schemaWith('sum_of_all'),
    });
    expect(status).toBe(400);
    expect(body.error?.message ?? body.message).toContain(
      'models/bad.yml:models[0].columns[1].meta.metrics.total.type',
    );
  });

  it('refuses a relation the warehouse does not have, naming the model', async () => {
    const files = [
      { path: 'models/x.yml', content: 'models:\n  - name: no_such_relation\n    columns: [{name: a}]\n' },
    ];
    const { status, body } = await app.request('POST', `/api/projects/${projectId}/dbt`, { files });
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('models/x.yml:models[0]');
  });

  it('refuses a filter it cannot enforce, invalid YAML, both or neither body, and an unknown project', async () => {
    const filter = [
      {
        path: 'models/f.yml',
        content:
          'models:\n  - name: demo_sales\n    meta: {sql_filter: "${TABLE}.country = \'France\' OR TRUE"}\n',
      },
    ];
    const refused = await app.request('POST', `/api/projects/${projectId}/dbt`, { files: filter });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('models/f.yml:models[0].meta.sql_filter');
    const broken = await app.request('POST', `/api/projects/${projectId}/dbt`, {
      files: [{ path: 'models/b.yml', content: 'models: [\n' }],
    });
    expect(broken.status).toBe(400);
    expect(JSON.stringify(broken.body)).toContain('models/b.yml');
    expect((await app.request('POST', `/api/projects/${projectId}/dbt`, {})).status).toBe(400);
    expect(
      (await app.request('POST', `/api/projects/${projectId}/dbt`, { files: [], manifest: { nodes: {} } }))
        .status,
    ).toBe(400);
    expect((await app.request('POST', '/api/projects/999999/dbt', { files: demoFiles })).status).toBe(404);
    expect((await app.request('GET', '/api/projects/999999/dbt')).status).toBe(404);
  });

  it('lets developers deploy and viewers only export', async () => {
    const viewer = await login('dbt.viewer@example.com', 'viewer');
    expect(
      (await app.request('POST', `/api/projects/${projectId}/dbt`, { files: demoFiles }, { token: viewer }))
        .status,
    ).toBe(403);
    expect(
      (await app.request('GET', `/api/projects/${projectId}/dbt`, undefined, { token: viewer })).status,
    ).toBe(200);
  });
});

describe('the rosetta dbt command', () => {
  /** The CLI's HTTP calls, served by the test app. */
  const served = async (url: string, init: RequestInit = {}) => {
    const answer = await app.rosetta.server.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: new URL(url).pathname + new URL(url).search,
      headers: init.headers as Record<string, string>,
      payload: init.body as string | undefined,
    });
    return new Response(answer.body, { status: answer.statusCode });
  };
  const run = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await dbtCommand(
      args,
      { write: (text: string) => (stdout += text) },
      { write: (text: string) => (stderr += text) },
      { ROSETTA_API_KEY: ADMIN_KEY, ROSETTA_URL: 'http://rosetta.test' },
      served,
    );
    return { code, stdout, stderr };
  };

  it('deploys the demo folder and exports it to files', async () => {
    const deployed = await run('deploy', '--project', String(projectId), demoDir);
    expect(deployed).toMatchObject({ code: 0, stderr: '' });
    expect(deployed.stdout).toContain('model demo_sales');
    const out = mkdtempSync(join(tmpdir(), 'rosetta-dbt-'));
    try {
      expect((await run('export', '--project', String(projectId), '--out', out)).code).toBe(0);
      const exported = await app.request('GET', `/api/projects/${projectId}/dbt`);
      for (const file of exported.body.files)
        expect(readFileSync(join(out, file.path), 'utf8')).toBe(file.content);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('prints refusals and usage errors with their exit status', async () => {
    expect(await run('deploy', '--project', 'No such project', demoDir)).toMatchObject({
      code: 1,
      stderr: 'no project "No such project"\n',
    });
    expect((await run('deploy', '--project', String(projectId))).code).toBe(2);
    expect(await runCli(['dbt', 'publish'], { write: () => 0 }, { write: () => 0 })).toBe(2);
  });
});
