import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';

/**
 * The bubblewrap sandbox of a script run. The script sees a read-only system (`/usr` and its
 * root links, the few files of `/etc` that DNS, TLS and the dynamic loader read), its
 * interpreter, the paths it is given, and its scratch dir as a writable `/tmp` (its home and
 * working dir); fresh `/proc` and `/dev`; no capabilities; only the environment it is given.
 * Private paths (the server's data dir) are masked with an empty tmpfs wherever a bind would
 * expose them. It shares the host network only, because it calls the Rosetta API back.
 */
export type ScriptSandbox = 'bwrap' | 'off';

/** Where Debian's `bubblewrap` package installs the binary. */
export const BWRAP_PATH = '/usr/bin/bwrap';
/** The scratch dir inside the sandbox: home, temp dir and working dir of the script. */
export const SANDBOX_HOME = '/tmp';

const SYSTEM_DIR = '/usr';
/** Links into `/usr` on merged-/usr systems, real directories elsewhere. */
const ROOT_ENTRIES = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** What name resolution, TLS and the dynamic loader read; nothing else of `/etc`. */
const ETC_ENTRIES = [
  'resolv.conf',
  'hosts',
  'host.conf',
  'nsswitch.conf',
  'gai.conf',
  'ssl',
  'ca-certificates',
  'pki',
  'crypto-policies',
  'localtime',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
].map((entry) => `/etc/${entry}`);

const isWithin = (path: string, dir: string) => {
  const rest = relative(dir, path);
  return rest === '' || (!rest.startsWith(`..${sep}`) && rest !== '..' && !rest.startsWith(sep));
};
const depth = (path: string) => path.split(sep).filter(Boolean).length;
/** Paths are compared and bound as their real location, so a symlink cannot dodge a mask. */
const real = (path: string) => (existsSync(path) ? realpathSync(path) : path);

export class SandboxUnavailableError extends Error {
  constructor(problem: string) {
    super(
      `script runs are sandboxed with bubblewrap, which ${problem}: install Debian's bubblewrap package ` +
        `(apt-get install bubblewrap; it needs user namespaces), or set ROSETTA_SCRIPT_SANDBOX=off ` +
        'to run scripts unsandboxed as the server user',
    );
    this.name = 'SandboxUnavailableError';
  }
}

/** An interpreter to run inside the sandbox: the file to exec and the directories it needs. */
export interface SandboxedInterpreter {
  executable: string;
  roots: string[];
}

/** Node itself: its directory is bound when it lives outside `/usr` (nvm, /opt, …). */
export function nodeInterpreter(): SandboxedInterpreter {
  const executable = real(process.execPath);
  return { executable, roots: [dirname(executable)] };
}

const pythonInstalls = new Map<string, Promise<SandboxedInterpreter>>();
const PYTHON_LAYOUT =
  'import json, sys; print(json.dumps([sys.executable, sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix]))';

/**
 * The configured Python as a file and its prefixes, asked of the interpreter itself (outside the
 * sandbox, no user code involved): a command on PATH, a pyenv shim or a venv all resolve to the
 * real executable, whose prefixes are bound. Remembered per command once it answered.
 */
export function pythonInterpreter(python: string): Promise<SandboxedInterpreter> {
  let install = pythonInstalls.get(python);
  if (!install) {
    install = promisify(execFile)(python, ['-c', PYTHON_LAYOUT], { timeout: 30_000 }).then(
      ({ stdout }) => {
        const [executable, ...prefixes] = JSON.parse(stdout) as string[];
        if (!executable) throw new Error(`the Python interpreter "${python}" did not name its executable`);
        // Keep the file name (a venv's python is a link whose location marks the venv).
        const file = join(real(dirname(executable)), basename(executable));
        return { executable: file, roots: [dirname(file), dirname(real(file)), ...prefixes] };
      },
      (error: Error) => {
        pythonInstalls.delete(python);
        throw new Error(
          `the Python interpreter "${python}" (ROSETTA_PYTHON) could not start: ${error.message}`,
        );
      },
    );
    pythonInstalls.set(python, install);
  }
  return install;
}

/**
 * The mounts of the sandbox, in order. Read-only binds and masks are applied from the shallowest
 * path to the deepest, so a deeper one wins: a data dir below a bound directory is masked, and a
 * readable directory below a masked one (the shipped client below the app) is bound again.
 */
function mounts(readOnly: string[], hidden: string[]): string[] {
  const links: string[] = [];
  const dirs = [SYSTEM_DIR, ...readOnly];
  for (const entry of ROOT_ENTRIES.filter(existsSync)) {
    if (lstatSync(entry).isSymbolicLink()) links.push('--symlink', readlinkSync(entry), entry);
    else dirs.push(entry);
  }
  // Never the whole host: `/` as a prefix (a Python built with prefix /) is already in /usr.
  const candidates = [...new Set(dirs.map(real))].filter((path) => path !== '/');
  const masks = [...new Set(hidden.filter(existsSync).map(real))].filter((path) =>
    candidates.some((dir) => isWithin(path, dir)),
  );
  // A bind below another one shows nothing new, unless it shows again what a mask hides.
  const binds = candidates.filter(
    (path) =>
      !candidates.some((dir) => dir !== path && isWithin(path, dir)) ||
      masks.some((mask) => isWithin(path, mask)),
  );
  const planned = [
    ...binds.map((path) => ({ path, args: ['--ro-bind', path, path] })),
    ...masks.map((path) => ({ path, args: ['--tmpfs', path] })),
  ];
  // A stable sort keeps a mask after a bind of the same path.
  planned.sort((a, b) => depth(a.path) - depth(b.path));
  const etc = ETC_ENTRIES.flatMap((entry) => ['--ro-bind-try', entry, entry]);
  return [...planned.flatMap((mount) => mount.args), ...links, ...etc];
}

/**
 * The options of one sandboxed run, to hand to `bwrap --args <fd>`: kept off bwrap's command
 * line, where every user of the host could read the run's API key. The command follows on the
 * command line (bwrap reads only options from the fd).
 */
export function bwrapOptions(input: {
  interpreter: SandboxedInterpreter;
  env: Record<string, string>;
  /** The run's scratch dir on the host, seen as SANDBOX_HOME inside. */
  scratchDir: string;
  readOnly: string[];
  hidden: string[];
}): string[] {
  return [
    // A user namespace even when the server runs as root, so that no capability is kept and no
    // further namespace can be made to unmount a mask.
    '--unshare-all',
    '--unshare-user',
    '--share-net',
    '--disable-userns',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    ...Object.entries(input.env).flatMap(([name, value]) => ['--setenv', name, value]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // Before the binds, so that a readable path below /tmp is not covered by the scratch dir.
    '--bind',
    input.scratchDir,
    SANDBOX_HOME,
    '--chdir',
    SANDBOX_HOME,
    ...mounts([...input.interpreter.roots, ...input.readOnly], input.hidden),
  ];
}

/** bubblewrap exits 1 with a `bwrap: ` message when it could not set the sandbox up. */
export const sandboxSetupFailed = (run: { return_code: number; stdout: string; stderr: string }) =>
  run.return_code === 1 && run.stdout === '' && run.stderr.startsWith('bwrap: ');
