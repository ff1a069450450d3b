import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from './runner.ts';

/* The runner in its bubblewrap sandbox: limits, exit codes and masks, on the real bwrap. */
const base = { env: {}, timeoutMs: 20_000, memoryMb: 128, python: 'python3', sandbox: 'bwrap' } as const;
const python = (code: string, extra: Partial<Parameters<typeof runScript>[0]> = {}) =>
  runScript({ ...base, language: 'python', code, ...extra });
const javascript = (code: string, extra: Partial<Parameters<typeof runScript>[0]> = {}) =>
  runScript({ ...base, language: 'javascript', code, ...extra });

const root = mkdtempSync(join(tmpdir(), 'rosetta-runner-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a sandboxed run', () => {
  it('reports exit codes and output of both languages', async () => {
    expect(await javascript('console.log("out"); console.error("err"); process.exit(3)')).toEqual({
      return_code: 3,
      stdout: 'out\n',
      stderr: 'err\n',
      timedOut: false,
    });
    expect(await python('import sys\nprint("py")\nsys.exit(4)')).toMatchObject({
      return_code: 4,
      stdout: 'py\n',
    });
  });

  it('kills a script at the timeout and still reports what it printed', async () => {
    const run = await python('import time\nprint("started", flush=True)\ntime.sleep(30)', {
      timeoutMs: 1_500,
    });
    expect(run).toMatchObject({ timedOut: true, return_code: 137, stdout: 'started\n' });
    expect(run.stderr).toContain('killed: the script ran longer than 1500 ms');
  });

  it('limits memory in both languages', async () => {
    const py = await python('x = bytearray(512 * 1024 ** 2)\nprint("allocated")', { memoryMb: 64 });
    expect(py.return_code).not.toBe(0);
    expect(py.stderr).toContain('MemoryError');
    const js = await javascript('const a = []; for (;;) a.push(new Array(1e6).fill(1));', { memoryMb: 64 });
    expect(js.return_code).not.toBe(0);
    expect(js.stderr).toMatch(/heap/i);
  }, 60_000);

  it('caps the output at 1 MiB', async () => {
    const run = await python('import sys\nsys.stdout.write("x" * (3 * 1024 * 1024))');
    expect(run.return_code).toBe(0);
    expect(run.stdout).toHaveLength(1024 * 1024);
  });

  it('works in a private writable /tmp that is its home and working dir', async () => {
    const run = await python(
      'import os, tempfile\nopen("note", "w").write("kept")\nprint(os.getcwd(), os.environ["HOME"], tempfile.gettempdir(), open("/tmp/note").read(), sorted(os.listdir("/tmp")))',
    );
    expect(run.stdout).toBe("/tmp /tmp /tmp kept ['note', 'script.py']\n");
  });

  it('masks a hidden path below a readable one, and shows a readable path below a hidden one', async () => {
    const app = join(root, 'app');
    mkdirSync(join(app, 'data'), { recursive: true });
    mkdirSync(join(app, 'client'), { recursive: true });
    writeFileSync(join(app, 'data', 'secret'), 'data secret');
    writeFileSync(join(app, 'source.ts'), 'app source');
    writeFileSync(join(app, 'client', 'module.py'), 'client module');
    const read = (path: string) =>
      `try { console.log(require('node:fs').readFileSync(${JSON.stringify(path)}, 'utf8')); } catch (e) { console.log(e.code); }`;
    const code = `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);
${read(join(app, 'data', 'secret'))}
${read(join(app, 'source.ts'))}
${read(join(app, 'client', 'module.py'))}`;
    const readable = await javascript(code, { readOnlyPaths: [app], hiddenPaths: [join(app, 'data')] });
    expect(readable.stdout).toBe('ENOENT\napp source\nclient module\n');
    const client = await javascript(code, {
      readOnlyPaths: [app, join(app, 'client')],
      hiddenPaths: [app, join(app, 'data')],
    });
    expect(client.stdout).toBe('ENOENT\nENOENT\nclient module\n');
  });

  it('cannot regain privileges to unmount a mask', async () => {
    const secretDir = join(root, 'locked');
    mkdirSync(secretDir, { recursive: true });
    writeFileSync(join(secretDir, 'secret'), 'locked secret');
    const run = await python(
      [
        'import ctypes, os',
        'libc = ctypes.CDLL(None, use_errno=True)',
        `print(libc.umount2(${JSON.stringify(secretDir)}.encode(), 2), ctypes.get_errno() != 0)`,
        `print(os.path.exists(${JSON.stringify(join(secretDir, 'secret'))}))`,
        'caps = [line.split() for line in open("/proc/self/status") if line.startswith("Cap")]',
        'print(libc.unshare(0x10000000), len(caps), all(int(value, 16) == 0 for _, value in caps))',
      ].join('\n'),
      { readOnlyPaths: [root], hiddenPaths: [secretDir] },
    );
    // umount2 and unshare(CLONE_NEWUSER) fail; every capability set is empty.
    expect(run.stdout).toBe('-1 True\nFalse\n-1 5 True\n');
  });
});

describe('when bubblewrap is unavailable', () => {
  it('refuses to run, naming the package and the setting', async () => {
    const run = javascript('console.log(1)', { bwrapPath: join(root, 'no-bwrap') });
    await expect(run).rejects.toThrow(/bubblewrap package/);
    await expect(run).rejects.toThrow(/ROSETTA_SCRIPT_SANDBOX=off/);
  });

  it('refuses to run when the sandbox cannot be set up', async () => {
    const run = javascript('console.log(1)', { readOnlyPaths: [join(root, 'missing')] });
    await expect(run).rejects.toThrow(/bubblewrap, which could not start \(bwrap: .*missing/);
  });

  it('runs unsandboxed when the operator turned the sandbox off', async () => {
    const run = await javascript('console.log(process.cwd())', { sandbox: 'off' });
    expect(run.stdout).toContain(join(tmpdir(), 'rosetta-script-'));
  });
});
