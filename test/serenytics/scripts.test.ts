import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../support/app.ts';

let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await startTestApp();
  // Scripts call the API back over HTTP, so this suite uses a real listening server.
  const address = await app.rosetta.server.listen({ port: 0, host: '127.0.0.1' });
  base = `${address}/serenytics`;
}, 120_000);
afterAll(() => app?.close());

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(base + path, {
    method,
    headers: { 'X-Api-Key': ADMIN_KEY, 'Content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const pythonScript = `
import serenytics

client = serenytics.Client()
source = client.get_or_create_storage_data_source_by_name(name='from_script')
source.batch(rows_to_insert=[{'id': 1, 'quantity': client.script_args['param1']}])
print(source.get_nb_rows())
print(sorted(source.get_data().rows))
client.store_script_data(data={'last': client.script_args['param2']})
`;

describe('script', () => {
  it('creates (201), runs a Python script that uses the shipped serenytics module, synchronously', async () => {
    const created = await call('POST', '/api/script', {
      name: 'feed',
      code: pythonScript,
      language: 'python',
    });
    expect(created.status).toBe(201);
    const run = await call('POST', `/api/script/${created.body.uuid}/run?async_=false`, {
      param1: 120,
      param2: { quarter: 2 },
    });
    expect(run.body).toMatchObject({ status: 'ok', return_code: 0 });
    expect(run.body.stdout).toBe('1\n[[1, 120]]\n');
    expect((await call('GET', `/api/script/${created.body.uuid}/storage`)).body).toEqual({
      last: { quarter: 2 },
    });
    const byName = await call(
      'GET',
      `/api/script?q=${encodeURIComponent(JSON.stringify({ filters: [{ name: 'name', op: 'eq', val: 'feed' }] }))}`,
    );
    expect(byName.body.objects.map((s: { uuid: string }) => s.uuid)).toEqual([created.body.uuid]);
  }, 60_000);

  it('runs asynchronously by default; state and logs report the end, newest first', async () => {
    const created = await call('POST', '/api/script', {
      name: 'js',
      language: 'javascript',
      code: 'console.log(JSON.parse(process.env.ROSETTA_SCRIPT_ARGS).n); console.error("bad"); process.exit(3);',
    });
    const run = await call('POST', `/api/script/${created.body.uuid}/run`, { n: 7 });
    expect(run.body).toMatchObject({ status: 'ok', text: 'Script launched' });
    for (
      let i = 0;
      i < 100 && (await call('GET', `/api/script/${created.body.uuid}/state`)).body.running;
      i++
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    const logs = await call('GET', `/api/script/${created.body.uuid}/logs`);
    expect(logs.body.objects[0]).toMatchObject({
      status: 'FAILURE',
      return_code: 3,
      stdout: '7\n',
      stderr: 'bad\n',
    });
  }, 60_000);

  it('runs as a webhook with the script token, and refuses another token (401)', async () => {
    const created = await call('POST', '/api/script', {
      name: 'hook',
      language: 'python',
      code: 'import serenytics\nprint(serenytics.Client().script_args)',
    });
    const { token } = (await call('POST', `/api/script/${created.body.uuid}/token`)).body;
    const hook = (t: string) =>
      fetch(`${base}/api/script/${created.body.uuid}/run?async_=false&token=${t}`, {
        method: 'POST',
        headers: { 'Content-type': 'application/json' },
        body: JSON.stringify({ text: 'hello' }),
      });
    const ok = await hook(token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', stdout: "{'text': 'hello'}\n" });
    expect((await hook('wrong')).status).toBe(401);
  }, 60_000);

  it('limits memory, updates (PUT) and deletes (204)', async () => {
    const created = await call('POST', '/api/script', {
      name: 'hog',
      language: 'python',
      code: 'x = bytearray(4 * 1024 ** 3)',
    });
    const run = await call('POST', `/api/script/${created.body.uuid}/run`, { async: false });
    expect(run.body.status).toBe('error');
    expect(run.body.stderr).toContain('MemoryError');
    const put = await call('PUT', `/api/script/${created.body.uuid}`, { code: 'print("ok")' });
    expect(put.body.code).toBe('print("ok")');
    expect((await call('DELETE', `/api/script/${created.body.uuid}`)).status).toBe(204);
    expect((await call('GET', `/api/script/${created.body.uuid}`)).status).toBe(404);
    expect((await call('POST', '/api/script', { name: 'x', code: '', language: 'ruby' })).status).toBe(400);
  }, 60_000);
});

// The doc's examples from a user's machine: the shipped module, pointed at Rosetta by SERENYTICS_API_DOMAIN.
const userMachineScript = `
import serenytics
client = serenytics.Client(api_key=API_KEY)
source = client.get_or_create_storage_data_source_by_name(name='MY_DATA_SOURCE_NAME')
source.batch(rows_to_insert=[{'country': 'FR', 'revenue': 30, 'invoice': 'a'}, {'country': 'FR', 'revenue': 10, 'invoice': 'b'},
                             {'country': 'US', 'revenue': 25, 'invoice': 'c'}])
options = {
    'order': 'row_by_row',
    'data_processing_pipeline': [{
        'group_by': ['country'],
        'order_by': [{'name': 'revenue', 'agg_function': 'sum', 'direction': 'desc'}],
        'select': [{'name': 'revenue', 'agg_function': 'sum'}, {'name': 'invoice', 'agg_function': 'dcount'}],
        'where': [{'name': 'revenue', 'op': '>', 'value': '20'}],
        'limit': 100,
    }]
}
data = source.get_data(options=options)
print(data.columns, data.rows)
print(source.get_nb_rows())
source.batch(rows_to_insert_or_update=[{'invoice': 'a', 'country': 'FR', 'revenue': 1}], primary_key='invoice')
source.batch(rows_to_delete=['b'], primary_key='invoice')
print(sorted(source.get_data().rows))
try:
    source.get_data().get_as_dataframe()
except serenytics.SerenyticsException as error:
    print(error)
`;

describe('the serenytics Python module from a user machine', () => {
  it('runs the documented get_data and batch examples', async () => {
    const { stdout } = await promisify(execFile)(
      'python3',
      ['-c', `API_KEY = ${JSON.stringify(ADMIN_KEY)}\n${userMachineScript}`],
      {
        env: {
          PATH: process.env.PATH,
          PYTHONPATH: new URL('../../python', import.meta.url).pathname,
          SERENYTICS_API_DOMAIN: base,
        },
      },
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe("['country', 'revenue', 'invoice'] [['FR', 30, 1], ['US', 25, 1]]");
    expect(lines[1]).toBe('3');
    expect(lines[2]).toBe("[['FR', 1, 'a'], ['US', 25, 'c']]");
    expect(lines[3]).toContain('install pandas');
  }, 60_000);
});
