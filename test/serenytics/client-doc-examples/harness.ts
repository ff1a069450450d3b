import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { ADMIN_KEY, startTestApp, type TestApp } from '../../support/app.ts';
import { serveFace } from '../rest-doc-examples/run-example.ts';
import { seren } from '../support.ts';

/*
 * Runs the Python client doc's examples (the .py files beside this module, copied verbatim from
 * the seed) against a live Rosetta: from "a user's machine" (the shipped module on PYTHONPATH,
 * pointed at Rosetta by SERENYTICS_API_DOMAIN) and as a script run in Rosetta's script studio.
 */
const EXAMPLES = fileURLToPath(new URL('.', import.meta.url));
const PYTHON_PATH = fileURLToPath(new URL('../../../python', import.meta.url));

const hasPandas = (python: string) => {
  try {
    execFileSync(python, ['-c', 'import pandas, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
/** The first interpreter with pandas (Debian's python3-pandas lives under /usr/bin), if any. */
export const pandasPython = ['/usr/bin/python3', 'python3'].find(hasPandas);
/** Every run uses one interpreter, so the script studio (ROSETTA_PYTHON) and the user agree. */
export const python = pandasPython ?? 'python3';

if (!pandasPython) {
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\n!! SKIPPING the pandas examples of the Serenytics client doc: no python3 with pandas.\n` +
      `!! Install them with: apt-get update && apt-get install -y python3-pandas python3-requests\n${line}\n`,
  );
}

/** Text of the doc that cannot run on Python 3 as printed, and the smallest fix. */
export interface Erratum {
  wrong: string;
  right: string;
}

export const errata = {
  /** `async` is a reserved word since Python 3.7; the vendor's client 2.x names it `async_`. */
  asyncKeyword: { wrong: 'async=', right: 'async_=' },
  /** A Python 2 print statement. */
  printStatement: { wrong: 'print webapp.folder_name', right: 'print(webapp.folder_name)' },
  /** The closing quote is missing. */
  unterminatedString: { wrong: '"monserveursql.domain.com)', right: '"monserveursql.domain.com")' },
  /** The example uses `client` without creating it. */
  missingClient: { wrong: 'import serenytics\n', right: 'import serenytics\nclient = serenytics.Client()\n' },
  /** The example uses `datetime` without importing it. */
  missingDatetime: { wrong: 'import serenytics\n', right: 'import serenytics\nimport datetime\n' },
} satisfies Record<string, Erratum>;

function replaced(code: string, wrong: string, right: string, file: string): string {
  if (!code.includes(wrong)) throw new Error(`${file} does not contain "${wrong}"`);
  return code.replaceAll(wrong, right);
}

/**
 * An example as the doc prints it, with its documented placeholders (API key, names, uuids,
 * paths) replaced by real values and the given errata fixed; each must occur in the file.
 */
export function example(
  file: string,
  placeholders: Record<string, string> = {},
  fixes: Erratum[] = [],
): string {
  let code = readFileSync(join(EXAMPLES, file), 'utf8');
  for (const [placeholder, value] of Object.entries(placeholders))
    code = replaced(code, placeholder, value, file);
  for (const { wrong, right } of fixes) code = replaced(code, wrong, right, file);
  return code;
}

export interface PythonRun {
  return_code: number;
  stdout: string;
  stderr: string;
}

/** Runs code with the shipped module, pointed at `base`, in a scratch working directory. */
export async function runOnUserMachine(
  code: string,
  base: string,
  env: Record<string, string> = { SERENYTICS_API_KEY: ADMIN_KEY },
): Promise<PythonRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-doc-example-'));
  try {
    writeFileSync(join(dir, 'example.py'), code);
    return await new Promise((resolve) => {
      execFile(
        python,
        ['example.py'],
        {
          cwd: dir,
          env: { PATH: process.env.PATH, PYTHONPATH: PYTHON_PATH, SERENYTICS_API_DOMAIN: base, ...env },
        },
        (error, stdout, stderr) => {
          const return_code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ return_code, stdout, stderr });
        },
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Saves code as a Python script of the studio (answers its uuid). */
export async function createScript(app: TestApp, name: string, code: string): Promise<string> {
  const created = await seren(app, 'POST', '/api/script', { name, code, language: 'python' });
  if (created.status !== 201) throw new Error(`script not created: ${JSON.stringify(created.body)}`);
  return created.body.uuid;
}

/**
 * Saves code as a studio script and runs it, waiting for the end, with `args` as its parameters.
 * The run goes through the listening server at `base`: the script calls back the URL it came in by.
 */
export async function runInStudio(
  app: TestApp,
  base: string,
  code: string,
  args: object = {},
): Promise<PythonRun> {
  const uuid = await createScript(app, `doc example ${randomUUID()}`, code);
  const response = await fetch(`${base}/api/script/${uuid}/run?async_=false`, {
    method: 'POST',
    headers: { 'X-Api-Key': ADMIN_KEY, 'Content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  const { return_code, stdout, stderr } = (await response.json()) as PythonRun;
  return { return_code, stdout, stderr };
}

export const places = ['user machine', 'script studio'] as const;
export type Place = (typeof places)[number];

/** A Rosetta listening on a port for the suite, whose script runs use the chosen interpreter. */
export function liveRosetta() {
  const live = {
    app: undefined as unknown as TestApp,
    base: '',
    run: (place: Place, code: string, args: object = {}) =>
      place === 'user machine'
        ? runOnUserMachine(code, live.base)
        : runInStudio(live.app, live.base, code, args),
  };
  beforeAll(async () => {
    live.app = await startTestApp({ env: { ROSETTA_PYTHON: python } });
    live.base = await serveFace(live.app);
  }, 120_000);
  afterAll(() => live.app?.close());
  return live;
}

/** The run ended well and wrote nothing on stderr: its stdout. */
export function succeeded(result: PythonRun): string {
  expect(result.stderr).toBe('');
  expect(result.return_code).toBe(0);
  return result.stdout;
}

/** A new Storage source, filled with `rows` when given (answers its config). */
export async function storageSource(app: TestApp, name: string, rows?: object[]) {
  const created = (await seren(app, 'POST', '/api/data_source', { name, type: 'Storage', jsonContent: {} }))
    .body;
  if (rows) await seren(app, 'POST', `/api/data_source/${created.uuid}/reload`, rows);
  return created;
}

/** Headers and rows (sorted) of a source, read through formatted_data. */
export async function contentOf(app: TestApp, uuid: string) {
  const headers = (await seren(app, 'POST', `/api/formatted_data/${uuid}`, { only_headers: true })).body
    .columns_titles as { name: string; type: string }[];
  const select = headers.map((header) => header.name);
  const answer = await seren(app, 'POST', `/api/formatted_data/${uuid}`, {
    order: 'row_by_row',
    data_processing_pipeline: [{ select }],
  });
  const rows = (answer.body.data as unknown[][]).sort((a, b) =>
    JSON.stringify(a).localeCompare(JSON.stringify(b)),
  );
  return { columns: select, types: headers.map((header) => header.type), rows };
}
