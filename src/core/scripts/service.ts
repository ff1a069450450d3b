import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Selectable } from 'kysely';
import type { Store } from '../../store/database.ts';
import { nowIso } from '../../store/schema.ts';
import { authorize } from '../auth/authorize.ts';
import type { AuthService } from '../auth/index.ts';
import type { Principal } from '../auth/principal.ts';
import { createUserPrincipalLookup } from '../auth/resolve-principal.ts';
import { sha256 } from '../auth/secrets.ts';
import { notFound, unauthenticated, validationError } from '../errors.ts';
import { createDomainEvents, type DomainEvents } from '../events.ts';
import { type FolderRef, type ItemFiling, noFiling, updateFiled } from '../filing.ts';
import type { Job, JobService } from '../jobs/index.ts';
import { runScript, type ScriptLanguage, type ScriptRunResult } from './runner.ts';
import type { ScriptSandbox } from './sandbox.ts';
import type { ScriptRow } from './tables.ts';

/**
 * User scripts. Rules: editors read them; developers (Serenytics "studio") write and run them.
 * A run is a job whose handler starts the script in a child process with the API URL, a
 * short-lived API key of the caller (revoked when the run ends) and the arguments in its
 * environment, and the shipped `serenytics` Python module on its path.
 */
export const SCRIPT_RUN_JOB = 'script.run';
const languages: ScriptLanguage[] = ['python', 'javascript'];
const PYTHON_PATH = fileURLToPath(new URL('../../../python', import.meta.url));
/** The server's source tree: a sandboxed script reads only its `python/` client. */
const APP_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface Script {
  id: number;
  uuid: string;
  name: string;
  language: ScriptLanguage;
  code: string;
  ownerId: number;
  createdAt: string;
  updatedAt: string;
}

export interface ScriptInput {
  name?: unknown;
  code?: unknown;
  language?: unknown;
  /** On update: a script folder to file it in; null = the top level; absent = it stays. */
  folderId?: FolderRef | null;
}

export interface ScriptService {
  list(principal: Principal): Promise<Script[]>;
  get(principal: Principal, ref: string): Promise<Script>;
  create(principal: Principal, input: ScriptInput): Promise<Script>;
  update(principal: Principal, ref: string, input: ScriptInput): Promise<Script>;
  delete(principal: Principal, ref: string): Promise<void>;
  /** Queues a run; `apiUrl` is the base URL the script calls back (e.g. `http://host/serenytics`). */
  run(principal: Principal, ref: string, args: unknown, apiUrl: string): Promise<Job>;
  /** Runs of the script, newest first. */
  runs(principal: Principal, ref: string, limit?: number): Promise<Job[]>;
  /** A new webhook token (shown once; replaces the previous one). */
  createWebhookToken(principal: Principal, ref: string): Promise<string>;
  /** A webhook run: the token stands for the script's owner, as the owner is now. */
  runWithToken(ref: string, token: string, args: unknown, apiUrl: string): Promise<Job>;
  getStorage(principal: Principal, ref: string): Promise<unknown>;
  setStorage(principal: Principal, ref: string, value: unknown): Promise<void>;
}

interface RunPayload {
  principal: Principal;
  scriptId: number;
  args: unknown;
  apiUrl: string;
}

const toScript = (row: Selectable<ScriptRow>): Script => ({
  id: row.id,
  uuid: row.uuid,
  name: row.name,
  language: row.language as ScriptLanguage,
  code: row.code,
  ownerId: row.owner_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

function checked(input: ScriptInput, partial: boolean) {
  const out: { name?: string; code?: string; language?: ScriptLanguage } = {};
  if (input.name !== undefined || !partial) {
    if (typeof input.name !== 'string' || !input.name.trim()) throw validationError('name', 'is required');
    out.name = input.name.trim();
  }
  if (input.code !== undefined || !partial) {
    if (typeof input.code !== 'string') throw validationError('code', 'must be a string');
    out.code = input.code;
  }
  if (input.language !== undefined || !partial) {
    if (!languages.includes(input.language as ScriptLanguage))
      throw validationError('language', `must be one of ${languages.join(', ')}`);
    out.language = input.language as ScriptLanguage;
  }
  return out;
}

export function createScriptService(deps: {
  store: Store;
  jobs: JobService;
  auth: AuthService;
  /** Wall-clock limit of one run (config `scriptTimeoutSeconds`). */
  timeoutMs: number;
  /** Address-space (Python) or heap (Node) limit (config `scriptMemoryMb`). */
  memoryMb: number;
  /** Interpreter of Python runs (config `scriptPython`). */
  python: string;
  /** `bwrap` sandboxes every run; `off` runs scripts as the server user (config `scriptSandbox`). */
  sandbox: ScriptSandbox;
  /** The server's data dir, which no sandboxed script may see. */
  dataDir: string;
  /** The files dir (every organization's exports and uploads), hidden as well when set apart. */
  filesDir?: string;
  /** Called after a script is deleted, so other modules can forget what they kept about it. */
  onDeleted?: (script: { organizationId: number; uuid: string }) => Promise<void>;
  /** Files scripts in script folders (`update` with `folderId`); none by default. */
  filing?: ItemFiling;
  /** Where deletions are announced; a private bus by default. */
  events?: DomainEvents;
}): ScriptService {
  const { db } = deps.store;
  const events = deps.events ?? createDomainEvents();
  const { timeoutMs, memoryMb, python, sandbox } = deps;
  const ownerPrincipal = createUserPrincipalLookup(db);

  async function find(principal: Principal, ref: string): Promise<Selectable<ScriptRow>> {
    authorize(principal, 'script.read');
    const row = await db
      .selectFrom('scripts')
      .selectAll()
      .where('organization_id', '=', principal.organizationId)
      .where('uuid', '=', String(ref))
      .executeTakeFirst();
    if (!row) throw notFound('script', ref);
    return row;
  }

  async function execute(payload: RunPayload, signal: AbortSignal): Promise<ScriptRunResult> {
    const row = await db
      .selectFrom('scripts')
      .selectAll()
      .where('id', '=', payload.scriptId)
      .executeTakeFirst();
    if (!row) throw notFound('script', payload.scriptId);
    const expiresAt = new Date(Date.now() + timeoutMs + 60_000);
    const { key, apiKey } = await deps.auth.mintScriptKey(payload.principal, `script ${row.name}`, expiresAt);
    try {
      return await runScript({
        language: row.language as ScriptLanguage,
        code: row.code,
        timeoutMs,
        memoryMb,
        python,
        sandbox,
        readOnlyPaths: [PYTHON_PATH],
        hiddenPaths: [deps.dataDir, ...(deps.filesDir ? [deps.filesDir] : []), APP_ROOT],
        signal,
        env: {
          ROSETTA_API_URL: payload.apiUrl,
          ROSETTA_API_KEY: key,
          ROSETTA_SCRIPT_ARGS: JSON.stringify(payload.args ?? {}),
          ROSETTA_SCRIPT_UUID: row.uuid,
          PYTHONPATH: PYTHON_PATH,
        },
      });
    } finally {
      await deps.auth.endScriptKey(apiKey.id).catch(() => {});
    }
  }

  deps.jobs.register<RunPayload, ScriptRunResult>(SCRIPT_RUN_JOB, {
    concurrency: 2,
    timeoutMs: timeoutMs + 30_000,
    // A script may have side effects: never start it twice on its own.
    onInterrupted: 'fail',
    run: (_job, { payload, signal }) => execute(payload, signal),
  });

  const service: ScriptService = {
    async list(principal) {
      authorize(principal, 'script.read');
      const rows = await db
        .selectFrom('scripts')
        .selectAll()
        .where('organization_id', '=', principal.organizationId)
        .orderBy('id')
        .execute();
      return rows.map(toScript);
    },
    get: async (principal, ref) => toScript(await find(principal, ref)),
    async create(principal, input) {
      authorize(principal, 'script.manage');
      const values = checked(input, false);
      const now = nowIso();
      const row = await db
        .insertInto('scripts')
        .values({
          uuid: randomUUID(),
          organization_id: principal.organizationId,
          owner_id: principal.userId,
          name: values.name as string,
          code: values.code as string,
          language: values.language as string,
          storage: 'null',
          webhook_token_hash: null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toScript(row);
    },
    async update(principal, ref, input) {
      authorize(principal, 'script.manage');
      const row = await find(principal, ref);
      const values = checked(input, true);
      const request = {
        folderId: input.folderId,
        changes: Object.keys(values).length > 0,
        current: toScript(row),
      };
      return updateFiled(
        deps.filing ?? noFiling,
        principal,
        { kind: 'script', uuid: row.uuid },
        request,
        async () => {
          await db
            .updateTable('scripts')
            .set({ ...values, updated_at: nowIso() })
            .where('id', '=', row.id)
            .execute();
          return toScript(await find(principal, ref));
        },
      );
    },
    async delete(principal, ref) {
      authorize(principal, 'script.manage');
      const row = await find(principal, ref);
      await db.deleteFrom('script_runs').where('script_id', '=', row.id).execute();
      await db.deleteFrom('scripts').where('id', '=', row.id).execute();
      await deps.onDeleted?.({ organizationId: principal.organizationId, uuid: row.uuid });
      await events.emit('objectPurged', {
        organizationId: principal.organizationId,
        kind: 'script',
        id: row.id,
      });
    },
    async createWebhookToken(principal, ref) {
      authorize(principal, 'script.manage');
      const row = await find(principal, ref);
      const token = randomBytes(24).toString('base64url');
      await db
        .updateTable('scripts')
        .set({ webhook_token_hash: sha256(token) })
        .where('id', '=', row.id)
        .execute();
      return token;
    },
    async runWithToken(ref, token, args, apiUrl) {
      const row = await db
        .selectFrom('scripts')
        .selectAll()
        .where('uuid', '=', String(ref))
        .where('webhook_token_hash', '=', sha256(String(token)))
        .executeTakeFirst();
      const owner = row && (await ownerPrincipal(row.organization_id, row.owner_id));
      if (!owner) throw unauthenticated('invalid script token');
      return service.run(owner, ref, args, apiUrl);
    },
    async run(principal, ref, args, apiUrl) {
      authorize(principal, 'script.run');
      const row = await find(principal, ref);
      const job = await deps.jobs.enqueue(principal, SCRIPT_RUN_JOB, {
        principal,
        scriptId: row.id,
        args,
        apiUrl,
      });
      await db
        .insertInto('script_runs')
        .values({ script_id: row.id, job_id: job.id, created_at: nowIso() })
        .execute();
      return job;
    },
    async runs(principal, ref, limit = 20) {
      const row = await find(principal, ref);
      const ids = await db
        .selectFrom('script_runs')
        .select('job_id')
        .where('script_id', '=', row.id)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return Promise.all(ids.map(({ job_id }) => deps.jobs.get(principal, job_id)));
    },
    getStorage: async (principal, ref) => JSON.parse((await find(principal, ref)).storage),
    async setStorage(principal, ref, value) {
      authorize(principal, 'script.manage');
      const row = await find(principal, ref);
      await db
        .updateTable('scripts')
        .set({ storage: JSON.stringify(value ?? null), updated_at: nowIso() })
        .where('id', '=', row.id)
        .execute();
    },
  };
  return service;
}
