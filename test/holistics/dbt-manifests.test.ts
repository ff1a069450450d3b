import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';
import { userKey } from './dataset-support.ts';
import { expectDocumented, hx, NO_RATE_LIMITS, waitForJob } from './support.ts';

let app: TestApp;
let storageTable: string;
let projectId: number;
let viewerKey: string;

const PATH = '/holistics/api/v2/data_sources/upload_multiple_dbt_manifests';
const BOUNDARY = 'rosetta-test-boundary';

type Part = { name: string; filename?: string; content: string };

/** A multipart/form-data request as `curl -F` sends it, its answer checked against the document. */
async function upload(parts: Part[], key = ADMIN_KEY) {
  const body = `${parts
    .map(
      (part) =>
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${
          part.filename ? `; filename="${part.filename}"\r\nContent-Type: application/json` : ''
        }\r\n\r\n${part.content}\r\n`,
    )
    .join('')}--${BOUNDARY}--\r\n`;
  const response = await app.rosetta.server.inject({
    method: 'POST',
    url: PATH,
    headers: { 'x-holistics-key': key, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    payload: body,
  });
  const parsed = JSON.parse(response.body);
  expectDocumented('POST', PATH, response.statusCode, parsed);
  return { status: response.statusCode, body: parsed };
}

/** A manifest with one model on the demo rows, summing quantity. */
const manifest = (pkg: string, model: string) =>
  JSON.stringify({
    nodes: {
      [`model.${pkg}.${model}`]: {
        name: model,
        schema: 'storage',
        alias: storageTable,
        columns: { country: { name: 'country' }, quantity: { name: 'quantity' } },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: dbt's own placeholder, not a template
        config: { meta: { metrics: { [`${model}_quantity`]: { type: 'sum', sql: '${TABLE}.quantity' } } } },
      },
      [`test.${pkg}.not_null`]: { name: 'not_null' },
    },
  });

const file = (name: string, content: string, field = 'files'): Part => ({
  name: field,
  filename: name,
  content,
});

beforeAll(async () => {
  app = await startTestApp({ env: NO_RATE_LIMITS });
  projectId = (await app.request('GET', '/api/projects')).body.items.find(
    (project: { isDefault: boolean }) => project.isDefault,
  ).id;
  const sources = await app.request('GET', '/api/data-sources');
  storageTable = sources.body.items.find((source: { name: string }) => source.name === 'demo_sales').table;
  viewerKey = (await userKey(app, 'viewer@dbt.test', 'viewer')).key;
}, 60_000);
afterAll(() => app?.close());

describe('POST /data_sources/upload_multiple_dbt_manifests', () => {
  it("deploys every manifest's models together, as a job, into the caller's project", async () => {
    const answer = await upload([
      { name: 'data_source_name', content: 'Embedded DuckDB' },
      file('core.json', manifest('core', 'lines')),
      file('marts.json', manifest('marts', 'country_lines'), 'files[]'),
    ]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const job = await waitForJob(app, answer.body.job.id);
    expect(job.status, JSON.stringify(job)).toBe('success');
    const models = await app.request('GET', `/api/models?project=${projectId}`);
    const names = models.body.items.map((model: { name: string }) => model.name);
    expect(names).toEqual(expect.arrayContaining(['lines', 'country_lines']));
    const lines = models.body.items.find((model: { name: string }) => model.name === 'lines');
    const definition = (await app.request('GET', `/api/models/${lines.id}`)).body;
    expect(definition.metrics).toEqual([
      { name: 'lines_quantity', table: 'lines', aggregation: 'sum', column: 'quantity' },
    ]);
  });

  it('fails the job, not the request, on a file that is not a manifest, and deploys nothing', async () => {
    const answer = await upload([
      file('good.json', manifest('good', 'never_deployed')),
      file('bad.json', '{"nodes": '),
    ]);
    expect(answer.status).toBe(200);
    const job = await waitForJob(app, answer.body.job.id);
    expect(job.status).toBe('failure');
    expect(job.last_error_log).toContain('bad.json is not JSON');
    const duplicate = await upload([
      file('a.json', manifest('same', 'twice')),
      file('b.json', manifest('same', 'twice')),
    ]);
    expect((await waitForJob(app, duplicate.body.job.id)).status).toBe('failure');
    const models = await app.request('GET', `/api/models?project=${projectId}`);
    const names = models.body.items.map((model: { name: string }) => model.name);
    expect(names).not.toContain('never_deployed');
    expect(names).not.toContain('twice');
  });

  it('checks the form in the request: files present, at most 5, a known data source, form data', async () => {
    const none = await upload([{ name: 'data_source_name', content: 'Embedded DuckDB' }]);
    expect(none.status).toBe(422);
    expect(none.body).toMatchObject({ type: 'InvalidParameterError', details: { field: 'files' } });
    const six = await upload(
      Array.from({ length: 6 }, (_, i) => file(`m${i}.json`, manifest(`p${i}`, `m${i}`))),
    );
    expect(six.status).toBe(422);
    expect(six.body.details.field).toBe('files');
    const text = await upload([{ name: 'files', content: 'not a file' }]);
    expect(text.body.details.field).toBe('files[0]');
    const unknown = await upload([{ name: 'data_source_name', content: 'Nowhere' }, file('m.json', '{}')]);
    expect(unknown.status).toBe(404);
    const json = await hx(app, 'POST', '/data_sources/upload_multiple_dbt_manifests', { files: [] });
    expect(json.status).toBe(422);
    expect(json.body.details.field).toBe('files');
  });

  it('is refused to a viewer before the body is read', async () => {
    const refused = await upload([file('m.json', manifest('v', 'viewer_model'))], viewerKey);
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('PermissionDeniedError');
  });
});
