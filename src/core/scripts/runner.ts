import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs one script in a child process: Node for JavaScript, the configured interpreter for Python,
 * with a wall-clock timeout (SIGKILL), an address-space / heap limit, a scratch working directory,
 * output capped, and an environment holding only what the script needs (no server secrets are
 * inherited).
 */
export type ScriptLanguage = 'python' | 'javascript';

export interface ScriptRunResult {
  return_code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const MAX_OUTPUT = 1024 * 1024;

/** Python limits itself before running the user's file, so the limit covers only the script. */
const pythonPrelude = (file: string, bytes: number) =>
  [
    'import resource, runpy, sys',
    `resource.setrlimit(resource.RLIMIT_AS, (${bytes}, ${bytes}))`,
    `sys.argv = [${JSON.stringify(file)}]`,
    `runpy.run_path(${JSON.stringify(file)}, run_name='__main__')`,
  ].join('\n');

export async function runScript(input: {
  language: ScriptLanguage;
  code: string;
  env: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
  /** Python interpreter (command or path). */
  python: string;
  signal?: AbortSignal;
}): Promise<ScriptRunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'rosetta-script-'));
  try {
    const file = join(dir, input.language === 'python' ? 'script.py' : 'script.mjs');
    await writeFile(file, input.code);
    const [command, args] =
      input.language === 'python'
        ? [input.python, ['-c', pythonPrelude(file, input.memoryMb * 1024 * 1024)]]
        : [process.execPath, [`--max-old-space-size=${input.memoryMb}`, file]];
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8', ...input.env };
    return await new Promise<ScriptRunResult>((resolve, reject) => {
      const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = { stdout: '', stderr: '' };
      const collect = (key: 'stdout' | 'stderr') => (chunk: Buffer) => {
        if (out[key].length < MAX_OUTPUT)
          out[key] += chunk.toString('utf8').slice(0, MAX_OUTPUT - out[key].length);
      };
      child.stdout.on('data', collect('stdout'));
      child.stderr.on('data', collect('stderr'));
      let timedOut = false;
      const kill = () => child.kill('SIGKILL');
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, input.timeoutMs);
      input.signal?.addEventListener('abort', kill, { once: true });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        input.signal?.removeEventListener('abort', kill);
        const stderr = timedOut
          ? `${out.stderr}\nkilled: the script ran longer than ${input.timeoutMs} ms`
          : out.stderr;
        resolve({ return_code: code ?? (signal ? 137 : 1), stdout: out.stdout, stderr, timedOut });
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
