import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `rosetta dbt deploy|export`: models as code against a running server, as the Lightdash CLI
 * works against Lightdash. It reads the dbt project's files (or dbt's `manifest.json`) and sends
 * them to `POST /api/projects/{id}/dbt`, so the server applies every rule; `export` writes what
 * `GET /api/projects/{id}/dbt` answers.
 */
export const DBT_USAGE = `  dbt deploy --project <name|id> [--connection <id>] <dbt project dir | files…>
      Creates or updates the project's models from dbt schema YAML (Lightdash meta) and model .sql
      files, or from dbt's target/manifest.json when given. Default connection: the embedded DuckDB.
  dbt export --project <name|id> [--out <dir>]
      Writes the project's models as dbt files (models/schema.yml, model .sql files) under --out,
      or prints them.
      Both talk to the server at ROSETTA_URL (or --url; default http://127.0.0.1:8080) with the API
      key ROSETTA_API_KEY (or --api-key) of a developer.
`;

interface Output {
  write(text: string): unknown;
}

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

const OPTIONS = {
  project: { type: 'string' },
  connection: { type: 'string' },
  out: { type: 'string' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
} as const;

/** A refusal to print: bad usage (2) or an answer of the server (1). */
class CommandError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Folders of a dbt project that hold no model definitions of its own. */
const SKIPPED = new Set(['target', 'dbt_packages', 'node_modules', 'logs']);

function projectFiles(paths: string[]): { path: string; content: string }[] {
  const files: { path: string; content: string }[] = [];
  const visit = (path: string, root: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (!entry.startsWith('.') && !SKIPPED.has(entry)) visit(join(path, entry), root);
      }
    } else if (/\.(ya?ml|sql)$/.test(path)) {
      files.push({ path: relative(root, path).split('\\').join('/'), content: readFileSync(path, 'utf8') });
    }
  };
  for (const path of paths) visit(path, statSync(path).isDirectory() ? path : dirname(path));
  return files;
}

export async function runDbtCommand(
  args: string[],
  out: Output,
  env: NodeJS.ProcessEnv = process.env,
  fetcher: Fetch = fetch,
): Promise<void> {
  const [action, ...rest] = args;
  if (action !== 'deploy' && action !== 'export')
    throw new CommandError(`unknown dbt command "${action}"`, 2);
  let parsed: ReturnType<typeof parseArgs<{ allowPositionals: true; options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw new CommandError((error as Error).message, 2);
  }
  const { values, positionals } = parsed;
  if (!values.project) throw new CommandError('missing --project', 2);
  const base = (values.url ?? env.ROSETTA_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const key = values['api-key'] ?? env.ROSETTA_API_KEY;
  if (!key) throw new CommandError('missing --api-key (or ROSETTA_API_KEY)', 2);

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetcher(`${base}/api${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    }).catch((error: unknown) => {
      throw new CommandError(`cannot reach ${base}: ${(error as Error).message}`, 1);
    });
    const answer = await response.json().catch(() => undefined);
    if (!response.ok)
      throw new CommandError(
        `refused (${response.status}): ${answer?.error?.message ?? response.statusText}`,
        1,
      );
    return answer;
  };

  const projects: { id: number; name: string }[] = (await call('GET', '/projects?limit=1000')).items;
  const project = projects.find((p) => p.name === values.project || String(p.id) === values.project);
  if (!project) throw new CommandError(`no project "${values.project}"`, 1);

  if (action === 'export') {
    const { files } = (await call('GET', `/projects/${project.id}/dbt`)) as {
      files: { path: string; content: string }[];
    };
    for (const file of files) {
      if (values.out === undefined) {
        out.write(`# ${file.path}\n${file.content}\n`);
        continue;
      }
      const target = join(values.out, file.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
      out.write(`wrote ${target}\n`);
    }
    return;
  }

  if (positionals.length === 0) throw new CommandError('give the dbt project folder or its files', 2);
  const manifest = positionals.find((path) => basename(path) === 'manifest.json');
  const connectionId = values.connection === undefined ? undefined : Number(values.connection);
  if (connectionId !== undefined && !Number.isInteger(connectionId))
    throw new CommandError('--connection must be a connection id', 2);
  const readManifest = (path: string) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new CommandError(`${path}: ${(error as Error).message}`, 1);
    }
  };
  const body = {
    ...(manifest ? { manifest: readManifest(manifest) } : { files: projectFiles(positionals) }),
    ...(connectionId !== undefined && { connectionId }),
  };
  const result = await call('POST', `/projects/${project.id}/dbt`, body);
  for (const source of result.dataSources)
    out.write(`data source ${source.name} (${source.uuid}) ${source.action} for model ${source.model}\n`);
  for (const model of result.models) out.write(`model ${model.name} (${model.uuid}) ${model.action}\n`);
}

/** Runs `dbt …`; resolves with the exit status, the reason of a refusal printed on `err`. */
export async function dbtCommand(
  args: string[],
  out: Output,
  err: Output,
  env?: NodeJS.ProcessEnv,
  fetcher?: Fetch,
): Promise<number> {
  try {
    await runDbtCommand(args, out, env, fetcher);
    return 0;
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    err.write(`${error.message}\n${error.status === 2 ? `\nUsage:\n${DBT_USAGE}` : ''}`);
    return error.status;
  }
}
