import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { createDataModule } from '../core/data/index.ts';
import { isRosettaError } from '../core/errors.ts';
import { protectDataDir } from '../data-dir.ts';
import { openConfiguredStore } from '../store/configured.ts';
import { migrateToLatest } from '../store/migrate.ts';
import {
  checkNewOrganization,
  createOrganizationWithAdmin,
  type NewOrganization,
} from './create-organization.ts';
import { DBT_USAGE, dbtCommand } from './dbt.ts';

export const USAGE = `Usage: npm run rosetta -- <command> [options]

Commands:
  create-organization --name <name> --admin-email <email> [--admin-password <password>]
      Creates an organization with its default project, a warehouse of its own, an admin and an
      API key for that admin. Prints the key, and the password when it was generated, once.
${DBT_USAGE}
Options:
  -h, --help   Show this help.

Commands read the server's configuration from the environment (ROSETTA_DATA_DIR, DATABASE_URL, …).
`;

/** Exit statuses: refused input (a taken name, a bad email) and usage or configuration errors. */
const REFUSED = 1;
const USAGE_ERROR = 2;

interface Output {
  write(text: string): unknown;
}

/** The command-line flag of each field a refusal may name. */
const FLAGS: Record<string, string> = {
  name: '--name',
  adminEmail: '--admin-email',
  adminPassword: '--admin-password',
};

/** Runs one command; resolves with the process exit status. */
export async function runCli(
  args: string[],
  out: Output = process.stdout,
  err: Output = process.stderr,
): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command === undefined ? err : out).write(USAGE);
    return command === undefined ? USAGE_ERROR : 0;
  }
  if (command === 'dbt') return dbtCommand(rest, out, err);
  if (command !== 'create-organization') {
    err.write(`unknown command "${command}"\n\n${USAGE}`);
    return USAGE_ERROR;
  }
  let options: { name?: string; 'admin-email'?: string; 'admin-password'?: string; help?: boolean };
  try {
    ({ values: options } = parseArgs({
      args: rest,
      options: {
        name: { type: 'string' },
        'admin-email': { type: 'string' },
        'admin-password': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    err.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return USAGE_ERROR;
  }
  if (options.help) {
    out.write(USAGE);
    return 0;
  }
  const missing = (['name', 'admin-email'] as const).filter((flag) => options[flag] === undefined);
  if (missing.length > 0) {
    err.write(`missing ${missing.map((flag) => `--${flag}`).join(' and ')}\n\n${USAGE}`);
    return USAGE_ERROR;
  }
  try {
    // Checked before the configuration is read: bad input never touches the data dir.
    const input = checkNewOrganization({
      name: options.name ?? '',
      adminEmail: options['admin-email'] ?? '',
      adminPassword: options['admin-password'],
    });
    return await createOrganizationCommand(input, out);
  } catch (error) {
    if (error instanceof ConfigError) {
      err.write(`configuration error: ${error.message}\n`);
      return USAGE_ERROR;
    }
    if (!isRosettaError(error)) throw error;
    const flag = error.field === undefined ? undefined : FLAGS[error.field];
    err.write(`refused: ${flag ? `${flag}: ${error.problem}` : error.message}\n`);
    return REFUSED;
  }
}

async function createOrganizationCommand(input: NewOrganization, out: Output): Promise<number> {
  const config = loadConfig(process.env);
  protectDataDir(config.dataDir);
  const store = openConfiguredStore(config);
  try {
    await migrateToLatest(store);
    const data = createDataModule({ store, dataDir: config.dataDir, secret: config.secret });
    try {
      const created = await createOrganizationWithAdmin(
        { store, connections: data.connections, sharedStorage: config.sharedStorage !== undefined },
        input,
      );
      const lines = [
        `Organization "${created.organization.name}" created (${created.organization.uuid}), with its own warehouse.`,
        `  admin:                    ${created.adminEmail}`,
      ];
      if (created.generatedPassword) lines.push(`  generated admin password: ${created.generatedPassword}`);
      lines.push(`  admin API key:            ${created.apiKey}`, '  (shown once: keep them now)');
      out.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      await data.close();
    }
  } finally {
    await store.close();
  }
}
