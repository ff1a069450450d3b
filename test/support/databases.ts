import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';

/**
 * Throw-away databases on the machine's real PostgreSQL and MariaDB: a fresh name per run,
 * dropped afterwards. When a service is missing, `available` is false and the reason is printed
 * loudly so the suite can skip (never silently pass) the tests that need it.
 */
export interface TempDatabase {
  available: boolean;
  url: string;
  name: string;
  drop(): Promise<void>;
}

export const PG_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

const freshName = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/** Under `CI=true` a missing service fails the run; on a developer's machine its tests skip, loudly. */
function unavailable(service: string, error: unknown): TempDatabase {
  const reason = error instanceof Error ? error.message : String(error);
  if (process.env.CI === 'true') throw new Error(`${service} is not reachable on CI (${reason})`);
  console.warn(`\n!!! ${service} is not reachable (${reason}): tests that need it are SKIPPED !!!\n`);
  return { available: false, url: '', name: '', drop: async () => {} };
}

export async function createTempPostgres(prefix = 'rosetta_test'): Promise<TempDatabase> {
  const name = freshName(prefix);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    await admin.end().catch(() => {});
    return unavailable('PostgreSQL', error);
  }
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    available: true,
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTempMysql(prefix = 'rosetta_test'): Promise<TempDatabase> {
  const name = freshName(prefix);
  let admin: mysql.Connection | undefined;
  try {
    admin = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, connectTimeout: 3000 });
    await admin.query(`CREATE DATABASE \`${name}\``);
  } catch (error) {
    await admin?.end().catch(() => {});
    return unavailable('MariaDB/MySQL', error);
  } finally {
    await admin?.end().catch(() => {});
  }
  const url = new URL(MYSQL_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    available: true,
    url: url.toString(),
    name,
    async drop() {
      const client = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
      await client.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await client.end();
    },
  };
}

/**
 * Loads the server's time-zone tables when they are empty (as `.ci/run` does), so CONVERT_TZ
 * knows IANA zones. Idempotent: the generated SQL truncates the tables before filling them.
 */
export async function ensureMysqlTimeZones(): Promise<void> {
  const client = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, multipleStatements: true });
  try {
    const [rows] = await client.query('SELECT COUNT(*) AS n FROM mysql.time_zone_name');
    if (Number((rows as Array<{ n: number }>)[0].n) > 0) return;
    const sql = execFileSync('mysql_tzinfo_to_sql', ['/usr/share/zoneinfo'], {
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    await client.query(`USE mysql;\n${sql}`);
  } finally {
    await client.end();
  }
}
