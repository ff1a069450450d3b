import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../core/auth/bootstrap.ts';
import { sha256 } from '../core/auth/secrets.ts';
import { createDataModule, type DataModule } from '../core/data/index.ts';
import { verifyPassword } from '../core/directory/passwords.ts';
import { isRosettaError } from '../core/errors.ts';
import { openSqliteStore, type Store } from '../store/database.ts';
import { migrateToLatest } from '../store/migrate.ts';
import { runCli, USAGE } from './commands.ts';
import { createOrganizationWithAdmin } from './create-organization.ts';

const SECRET = 'test-secret-0123456789abcdef';

/** A data dir whose store went through a first start (the default organization exists). */
async function startedStore(dataDir: string): Promise<Store> {
  const store = openSqliteStore(join(dataDir, 'rosetta.sqlite'));
  await migrateToLatest(store);
  await bootstrapDirectory(store, { adminEmail: 'admin@default.test', adminPassword: 'default password' });
  return store;
}

const refusal = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'created',
    (error: unknown) =>
      isRosettaError(error) ? `${error.code} ${error.field} ${error.message}` : String(error),
  );

describe('createOrganizationWithAdmin', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-cli-'));
  let store: Store;
  let data: DataModule;
  const organizations = async () =>
    (await store.db.selectFrom('organizations').select('name').execute()).length;

  beforeAll(async () => {
    store = await startedStore(dataDir);
    data = createDataModule({ store, dataDir, secret: SECRET });
  });
  afterAll(async () => {
    await data.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the organization, its project, an admin with a password and a key, and its own warehouse', async () => {
    const created = await createOrganizationWithAdmin(
      { store, connections: data.connections },
      { name: ' Acme ', adminEmail: 'Boss@Acme.test' },
    );
    expect(created.organization.name).toBe('Acme');
    expect(created.project).toMatchObject({ organizationId: created.organization.id, isDefault: true });
    expect(created.adminEmail).toBe('boss@acme.test');
    expect(created.apiKey).toMatch(/^rst_[0-9A-Za-z]{40}$/);
    const admin = await store.db
      .selectFrom('users')
      .selectAll()
      .where('organization_id', '=', created.organization.id)
      .executeTakeFirstOrThrow();
    expect(admin).toMatchObject({ email: 'boss@acme.test', role: 'admin', status: 'active' });
    expect(await verifyPassword(admin.password_hash, created.generatedPassword ?? '')).toBe(true);
    const key = await store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('secret_hash', '=', sha256(created.apiKey))
      .executeTakeFirstOrThrow();
    expect(key.user_id).toBe(admin.id);

    expect(created.connection).toMatchObject({
      organizationId: created.organization.id,
      builtin: true,
      type: 'duckdb',
      file: 'warehouse.duckdb',
    });
    await (await data.registry.engineFor(created.connection.id)).ping();
    expect(existsSync(join(dataDir, 'organizations', created.organization.uuid, 'warehouse.duckdb'))).toBe(
      true,
    );
    expect(existsSync(join(dataDir, 'warehouse.duckdb'))).toBe(false);
  });

  it('takes a chosen password, and refuses a taken name or bad input, leaving nothing behind', async () => {
    const deps = { store, connections: data.connections };
    const chosen = await createOrganizationWithAdmin(deps, {
      name: 'Globex',
      adminEmail: 'admin@globex.test',
      adminPassword: 'a chosen password',
    });
    expect(chosen.generatedPassword).toBeUndefined();
    const before = await organizations();
    expect(await refusal(createOrganizationWithAdmin(deps, { name: 'Acme', adminEmail: 'x@y.test' }))).toBe(
      'ERR_CONFLICT name an organization named "Acme" already exists',
    );
    expect(
      await refusal(
        createOrganizationWithAdmin(
          { ...deps, sharedStorage: true },
          { name: 'Initech', adminEmail: 'a@i.test' },
        ),
      ),
    ).toMatch(/^ERR_CONFLICT .*one organization/);
    expect(await refusal(createOrganizationWithAdmin(deps, { name: 'Initech', adminEmail: 'nope' }))).toBe(
      'ERR_VALIDATION adminEmail adminEmail: is not an email address',
    );
    expect(
      await refusal(
        createOrganizationWithAdmin(deps, {
          name: 'Initech',
          adminEmail: 'a@i.test',
          adminPassword: 'short',
        }),
      ),
    ).toMatch(/^ERR_VALIDATION adminPassword adminPassword: must be at least 8 characters/);
    expect(await refusal(createOrganizationWithAdmin(deps, { name: '  ', adminEmail: 'a@i.test' }))).toMatch(
      /^ERR_VALIDATION name name: /,
    );
    expect(await organizations()).toBe(before);
  });

  it('refuses a store that never started, so the default organization stays the first one', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'rosetta-cli-empty-'));
    const empty = openSqliteStore(join(emptyDir, 'rosetta.sqlite'));
    try {
      await migrateToLatest(empty);
      const refused = createOrganizationWithAdmin(
        { store: empty, connections: data.connections },
        { name: 'Acme', adminEmail: 'a@acme.test' },
      );
      expect(await refusal(refused)).toMatch(/^ERR_CONFLICT undefined the store has no organization yet/);
    } finally {
      await empty.close();
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

describe('npm run rosetta -- create-organization', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-cli-process-'));
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, ROSETTA_DATA_DIR: dataDir, ROSETTA_SECRET: SECRET },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  /** In this process: refusals that happen before the configuration is read. */
  const inProcess = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(
      args,
      { write: (text) => (stdout += text) },
      { write: (text) => (stderr += text) },
    );
    return { code, stdout, stderr };
  };

  beforeAll(async () => {
    await (await startedStore(dataDir)).close();
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the generated password and key once, and refuses a taken name (a child process)', async () => {
    const created = await cli('create-organization', '--name', 'Acme', '--admin-email', 'a@acme.test');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Organization "Acme" created/);
    expect(created.stdout).toMatch(/generated admin password: [0-9A-Za-z]{20}\n/);
    expect(created.stdout).toMatch(/admin API key: +rst_[0-9A-Za-z]{40}\n/);
    const taken = await cli('create-organization', '--name', 'Acme', '--admin-email', 'b@acme.test');
    expect(taken).toMatchObject({
      code: 1,
      stderr: 'refused: --name: an organization named "Acme" already exists\n',
    });
  }, 60_000);

  it('refuses bad input naming the flag, and explains itself', async () => {
    expect(
      await inProcess('create-organization', '--name', 'Initech', '--admin-email', 'not-an-email'),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: 'refused: --admin-email: is not an email address\n',
    });
    const short = await inProcess(
      'create-organization',
      '--name',
      'I',
      '--admin-email',
      'a@i.test',
      '--admin-password',
      'x',
    );
    expect(short).toMatchObject({
      code: 1,
      stderr: 'refused: --admin-password: must be at least 8 characters\n',
    });
    const missing = await inProcess('create-organization', '--name', 'Initech');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^missing --admin-email\n\nUsage: npm run rosetta/);
    expect((await inProcess('create-organization', '--nmae', 'x')).stderr).toMatch(/Unknown option '--nmae'/);
    expect((await inProcess('launch')).code).toBe(2);
    expect(await inProcess('--help')).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(USAGE).toContain(
      'create-organization --name <name> --admin-email <email> [--admin-password <password>]',
    );
  });
});
