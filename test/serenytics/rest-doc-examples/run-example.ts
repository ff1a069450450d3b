import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApp } from '../../support/app.ts';

const DOC_API = 'https://api.serenytics.com';
const fixtures = new URL('.', import.meta.url).pathname;
const repoRoot = new URL('../../../', import.meta.url).pathname;

/**
 * The doc's placeholders made real: its API origin becomes `base`; a placeholder written as a
 * whole quoted string or as a bare name (a name the doc leaves undefined) becomes a string
 * literal; any other doc value (a uuid inside a URL) is replaced as text.
 */
export function pointAtRosetta(code: string, base: string, values: Record<string, string>): string {
  let text = code.replaceAll(DOC_API, base);
  for (const [token, value] of Object.entries(values)) {
    const literal = JSON.stringify(value);
    const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(new RegExp(`(['"])${escaped}\\1`, 'g'), literal);
    text = /^[A-Za-z_]\w*$/.test(token)
      ? text.replace(new RegExp(`\\b${escaped}\\b`, 'g'), literal)
      : text.replaceAll(token, value);
  }
  return text;
}

/** The examples call the face over HTTP: listens on a free port, answers the face's base URL. */
export async function serveFace(app: TestApp): Promise<string> {
  return `${await app.rosetta.server.listen({ port: 0, host: '127.0.0.1' })}/serenytics`;
}

export interface ExampleOptions {
  /** The face's base URL: the listening server's address + `/serenytics`. */
  base: string;
  values?: Record<string, string>;
  /** Completes a fragment: code the doc leaves out (run before the example). */
  before?: string;
  /** Shows what the doc's `Result:` shows for examples that print nothing (run after it). */
  after?: string;
  /**
   * Where a Python example runs: by default the fixtures' folder, whose files cannot shadow a module
   * the examples import; the backup example, which writes files, gets its own.
   */
  cwd?: string;
}

/** The `after` of examples that print nothing: what the doc shows under their `Result:`. */
export const SHOW_RESULT = 'print(r.status_code)\nprint(r.text)';

export interface ExampleRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout split in lines, trailing newline dropped. */
  lines: string[];
}

/** Runs a fixture of `rest-doc-examples/` as the doc's reader would: python3, or node for `.js`. */
export function runDocExample(file: string, options: ExampleOptions): Promise<ExampleRun> {
  const verbatim = readFileSync(join(fixtures, file), 'utf8');
  const code = pointAtRosetta(
    [options.before, verbatim, options.after].filter((part) => part !== undefined).join('\n'),
    options.base,
    options.values ?? {},
  );
  // The Node example is a sloppy CommonJS script (`require`, undeclared globals) needing axios.
  const [command, args, cwd] = file.endsWith('.js')
    ? ['node', ['--input-type=commonjs', '-e', code], repoRoot]
    : ['python3', ['-c', code], options.cwd ?? fixtures];
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { PATH: process.env.PATH }, maxBuffer: 64 * 1024 ** 2 },
      (error, stdout, stderr) => {
        const exitCode = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ exitCode, stdout, stderr, lines: stdout.replace(/\n$/, '').split('\n') });
      },
    );
  });
}

export type DocRunner = (file: string, options?: Omit<ExampleOptions, 'base'>) => Promise<ExampleRun>;

/** A runner of examples against `base` where the doc's usual placeholders are always `values`. */
export const docRunner =
  (base: string, values: Record<string, string>): DocRunner =>
  (file, options = {}) =>
    runDocExample(file, { ...options, base, values: { ...values, ...options.values } });
