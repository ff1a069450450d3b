import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import {
  BWRAP_PATH,
  bwrapOptions,
  nodeInterpreter,
  pythonInterpreter,
  SANDBOX_HOME,
  SandboxUnavailableError,
  type ScriptSandbox,
  sandboxSetupFailed,
} from './sandbox.ts';

/**
 * Runs one script in a child process: Node for JavaScript, the configured interpreter for Python,
 * with a wall-clock timeout (SIGKILL), an address-space / heap limit, a scratch working directory,
 * output capped, and an environment holding only what the script needs (no server secrets are
 * inherited). Unless the operator turned it off, the child runs inside the bubblewrap sandbox
 * (`sandbox.ts`); when bubblewrap is missing or cannot start, the run fails and says so.
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
  /** `bwrap` runs the script in a bubblewrap sandbox; `off` runs it as the server user. */
  sandbox: ScriptSandbox;
  /** Paths the sandboxed script may read besides the system and its interpreter. */
  readOnlyPaths?: string[];
  /** Paths the sandboxed script must never see, even below a readable path. */
  hiddenPaths?: string[];
  /** The bubblewrap binary. */
  bwrapPath?: string;
  signal?: AbortSignal;
}): Promise<ScriptRunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'rosetta-script-'));
  try {
    const sandboxed = input.sandbox === 'bwrap';
    const name = input.language === 'python' ? 'script.py' : 'script.mjs';
    await writeFile(join(dir, name), input.code);
    const file = join(sandboxed ? SANDBOX_HOME : dir, name);
    const args =
      input.language === 'python'
        ? ['-c', pythonPrelude(file, input.memoryMb * 1024 * 1024)]
        : [`--max-old-space-size=${input.memoryMb}`, file];
    if (!sandboxed) {
      const command = input.language === 'python' ? input.python : process.execPath;
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8', ...input.env };
      return await spawnCollecting({ command, args, env, cwd: dir }, input);
    }
    const interpreter =
      input.language === 'python' ? await pythonInterpreter(input.python) : nodeInterpreter();
    const env = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: SANDBOX_HOME,
      TMPDIR: SANDBOX_HOME,
      LANG: 'C.UTF-8',
      ...input.env,
    };
    const options = bwrapOptions({
      interpreter,
      env,
      scratchDir: dir,
      readOnly: input.readOnlyPaths ?? [],
      hidden: input.hiddenPaths ?? [],
    });
    const launch = {
      command: input.bwrapPath ?? BWRAP_PATH,
      args: ['--args', '3', '--', interpreter.executable, ...args],
      // Empty: the environment of bubblewrap itself (pid 1 of the sandbox) is readable inside.
      env: {},
      cwd: dir,
      fd3: options,
    };
    const run = await spawnCollecting(launch, input).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' || error.code === 'EACCES'
        ? new SandboxUnavailableError(`is not installed (${input.bwrapPath ?? BWRAP_PATH}: ${error.code})`)
        : error;
    });
    if (sandboxSetupFailed(run)) throw new SandboxUnavailableError(`could not start (${run.stderr.trim()})`);
    return run;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs a child to its end, killing it at the timeout or on abort, and collects capped output. */
function spawnCollecting(
  launch: { command: string; args: string[]; env: Record<string, string>; cwd: string; fd3?: string[] },
  limits: { timeoutMs: number; signal?: AbortSignal },
): Promise<ScriptRunResult> {
  return new Promise<ScriptRunResult>((resolve, reject) => {
    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: launch.env,
      stdio: ['ignore', 'pipe', 'pipe', launch.fd3 ? 'pipe' : 'ignore'],
    });
    if (launch.fd3) {
      const fd3 = child.stdio[3] as Writable;
      // A child that failed to start closes the pipe; its 'error' event says why.
      fd3.on('error', () => {});
      fd3.end(launch.fd3.map((arg) => `${arg}\0`).join(''));
    }
    const out = { stdout: '', stderr: '' };
    const collect = (key: 'stdout' | 'stderr') => (chunk: Buffer) => {
      if (out[key].length < MAX_OUTPUT)
        out[key] += chunk.toString('utf8').slice(0, MAX_OUTPUT - out[key].length);
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    let timedOut = false;
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, limits.timeoutMs);
    limits.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', kill);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', kill);
      const stderr = timedOut
        ? `${out.stderr}\nkilled: the script ran longer than ${limits.timeoutMs} ms`
        : out.stderr;
      resolve({ return_code: code ?? (signal ? 137 : 1), stdout: out.stdout, stderr, timedOut });
    });
  });
}
