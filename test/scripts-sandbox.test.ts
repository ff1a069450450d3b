import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { seren } from './serenytics/support.ts';
import { ADMIN_KEY, startTestApp, type TestApp } from './support/app.ts';

/*
 * Script runs are sandboxed (bubblewrap): a script sees the interpreters, the shipped client and
 * its own scratch dir, never the server's data dir, environment or source tree. The server's data
 * dir here lies inside the prefix of the Python interpreter of the runs (a venv), which the
 * sandbox must bind: the data dir has to be masked even there.
 */
const REPO = fileURLToPath(new URL('..', import.meta.url));
const MARKER = `server-marker-${randomUUID()}`;
const root = mkdtempSync(join(tmpdir(), 'rosetta-sandbox-test-'));
const venv = join(root, 'venv');
const dataDir = join(venv, 'data');

let app: TestApp;
let base: string;
let secret: string;
beforeAll(async () => {
  // A variable of the server's own environment, which no script may see.
  process.env.ROSETTA_SANDBOX_TEST_MARKER = MARKER;
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  execFileSync(python, ['-m', 'venv', '--without-pip', venv]);
  app = await startTestApp({ dataDir, env: { ROSETTA_PYTHON: join(venv, 'bin', 'python3') } });
  secret = readFileSync(join(dataDir, 'secret'), 'utf8').trim();
  // Scripts call the API back over HTTP, so this suite uses a real listening server.
  const address = await app.rosetta.server.listen({ port: 0, host: '127.0.0.1' });
  base = `${address}/serenytics`;
}, 120_000);
afterAll(async () => {
  delete process.env.ROSETTA_SANDBOX_TEST_MARKER;
  await app?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(base + path, {
    method,
    headers: { 'X-Api-Key': ADMIN_KEY, 'Content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function runToEnd(language: 'python' | 'javascript', code: string, args: object = {}) {
  const created = await call('POST', '/api/script', { name: `sandbox ${randomUUID()}`, code, language });
  expect(created.status).toBe(201);
  const run = await call('POST', `/api/script/${created.body.uuid}/run?async_=false`, args);
  return run.body as { status: string; return_code: number; stdout: string; stderr: string };
}

/** What each probe script tries to read; the scripts get these paths as their arguments. */
const targets = () => ({
  files: {
    secret: join(dataDir, 'secret'),
    metadata: join(dataDir, 'rosetta.sqlite'),
    serverEnviron: `/proc/${process.pid}/environ`,
    pid1Environ: '/proc/1/environ',
    source: join(REPO, 'src', 'config.ts'),
    client: join(REPO, 'python', 'serenytics', '__init__.py'),
  },
  dataDir,
});

// Each probe prints {files: {name: {text} | {error}}, listing: [names] | {error}, env: {…}}.
const pythonProbe = `
import json, os, serenytics
targets = serenytics.Client().script_args
def attempt(action):
    try:
        return {'text': action()}
    except Exception as error:
        return {'error': type(error).__name__}
def read(path):
    with open(path, 'rb') as file:
        return file.read().decode('utf-8', 'replace')
print(json.dumps({
    'files': {name: attempt(lambda path=path: read(path)) for name, path in targets['files'].items()},
    'listing': attempt(lambda: os.listdir(targets['dataDir'])),
    'env': dict(os.environ),
}))
`;

const javascriptProbe = `
import { readdirSync, readFileSync } from 'node:fs';
const targets = JSON.parse(process.env.ROSETTA_SCRIPT_ARGS);
const attempt = (action) => {
  try {
    return { text: action() };
  } catch (error) {
    return { error: error.code ?? String(error) };
  }
};
const files = Object.fromEntries(
  Object.entries(targets.files).map(([name, path]) => [name, attempt(() => readFileSync(path, 'utf8'))]),
);
console.log(JSON.stringify({ files, listing: attempt(() => readdirSync(targets.dataDir)), env: process.env }));
`;

/** What a script may find in its environment: what the run gives it, and what its tools add. */
const allowedVariables = [
  'ROSETTA_API_URL',
  'ROSETTA_API_KEY',
  'ROSETTA_SCRIPT_ARGS',
  'ROSETTA_SCRIPT_UUID',
  'PYTHONPATH',
  'PATH',
  'HOME',
  'TMPDIR',
  'LANG',
  'PWD',
  'LC_CTYPE',
];

// The venv holding the data dir is bound for Python runs, so there the data dir is an empty mask;
// JavaScript runs do not bind it, so there the data dir does not exist.
describe.each([
  ['python', pythonProbe, { text: [] }],
  ['javascript', javascriptProbe, { error: 'ENOENT' }],
] as const)('a %s script in the sandbox', (language, probe, dataDirListing) => {
  it('cannot read the data dir, the server environment or the source tree', async () => {
    const run = await runToEnd(language, probe, targets());
    expect(run.stderr).toBe('');
    expect(run.return_code).toBe(0);
    for (const [name, value] of Object.entries({ secret, ADMIN_KEY, MARKER }))
      expect(run.stdout.includes(value), `${name} in the output`).toBe(false);
    const seen = JSON.parse(run.stdout);
    for (const name of ['secret', 'metadata', 'serverEnviron', 'source'])
      expect(seen.files[name], name).toHaveProperty('error');
    // pid 1 of the sandbox is bubblewrap's reaper, started with an empty environment.
    expect(seen.files.pid1Environ.text ?? '').toBe('');
    expect(seen.listing).toEqual(dataDirListing);
    // What the script needs stays readable: the shipped client.
    expect(seen.files.client.text).toContain('class Client');
    expect(Object.keys(seen.env).filter((name) => !allowedVariables.includes(name))).toEqual([]);
    expect(seen.env.ROSETTA_API_KEY).toMatch(/\S{16,}/);
  }, 60_000);
});

describe('a sandboxed script calls the API with its key', () => {
  it('through the shipped Python client', async () => {
    const run = await runToEnd(
      'python',
      'import serenytics\nprint(sorted(s.name for s in serenytics.Client().get_data_sources()))\n',
    );
    expect(run).toMatchObject({ status: 'ok', return_code: 0 });
    expect(run.stdout).toContain("'demo_sales'");
  }, 60_000);

  it('with fetch from JavaScript', async () => {
    const run = await runToEnd(
      'javascript',
      `const answer = await fetch(process.env.ROSETTA_API_URL + '/api/data_source', {
        headers: { 'X-Api-Key': process.env.ROSETTA_API_KEY },
      });
      const body = await answer.json();
      console.log(answer.status, body.objects.map((source) => source.name).join(','));`,
    );
    expect(run).toMatchObject({ status: 'ok', return_code: 0 });
    expect(run.stdout).toMatch(/^200 .*demo_sales/);
  }, 60_000);
});

describe('ROSETTA_SCRIPT_SANDBOX', () => {
  it('is bwrap by default, accepts off and names itself when wrong', () => {
    expect(loadConfig({ ROSETTA_DATA_DIR: dataDir }).scriptSandbox).toBe('bwrap');
    expect(loadConfig({ ROSETTA_DATA_DIR: dataDir, ROSETTA_SCRIPT_SANDBOX: 'off' }).scriptSandbox).toBe(
      'off',
    );
    expect(() => loadConfig({ ROSETTA_DATA_DIR: dataDir, ROSETTA_SCRIPT_SANDBOX: 'docker' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ ROSETTA_DATA_DIR: dataDir, ROSETTA_SCRIPT_SANDBOX: 'docker' })).toThrow(
      /ROSETTA_SCRIPT_SANDBOX/,
    );
  });

  it('off runs scripts unsandboxed, in their scratch dir on the host', async () => {
    const unsandboxed = await startTestApp({ demo: false, env: { ROSETTA_SCRIPT_SANDBOX: 'off' } });
    try {
      const created = await seren(unsandboxed, 'POST', '/api/script', {
        name: 'where',
        language: 'javascript',
        code: 'console.log(process.cwd())',
      });
      const run = await seren(unsandboxed, 'POST', `/api/script/${created.body.uuid}/run?async_=false`, {});
      expect(run.body).toMatchObject({ status: 'ok', return_code: 0 });
      expect(run.body.stdout).toContain(join(tmpdir(), 'rosetta-script-'));
    } finally {
      await unsandboxed.close();
    }
  }, 60_000);
});
