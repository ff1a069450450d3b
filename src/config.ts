import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { parseOutboundAllowList } from './core/schedules/outbound.ts';
import { type SharedStorageSpec, sharedStorageSpecOf } from './engines/storage-url.ts';

/** Every knob of the server, read once from the environment at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL URL for the metadata store; undefined = SQLite in the data dir. */
  databaseUrl?: string;
  /**
   * Where exports, uploads, email attachments, the outbox and query results are kept
   * (`ROSETTA_FILES_DIR`, default the data dir): a directory every node mounts, or each node's
   * cache of the PostgreSQL store.
   */
  filesDir: string;
  /** `postgres`: files are published as large objects (metadata on PostgreSQL, no files dir set). */
  filesStore: 'directory' | 'postgres';
  /** Redis for the cluster bus (`ROSETTA_REDIS_URL`); undefined = PostgreSQL LISTEN/NOTIFY, or one node on SQLite. */
  redisUrl?: string;
  /** Managed storage on a warehouse every node reaches (`ROSETTA_STORAGE_URL`); undefined = the embedded DuckDB. */
  sharedStorage?: SharedStorageSpec;
  secret: string;
  adminEmail: string;
  adminPassword?: string;
  bootstrapApiKey?: string;
  demo: boolean;
  /** Row cap on any single query result. */
  maxQueryRows: number;
  /** Seconds before a running query is cancelled. */
  queryTimeoutSeconds: number;
  /** Minutes the result of a query job (`POST /api/query/jobs`) is kept after it finished. */
  queryResultRetentionMinutes: number;
  /** Lifetime of a session token in hours. */
  sessionHours: number;
  logLevel: string;
  /** Who may frame the embed page (CSP `frame-ancestors` sources): `*`, origins, `'self'` or `'none'`. */
  embedOrigins: string[];
  /** Failed sign-ins per account (email) in 15 minutes before the next is a 429; 0 = no limit. */
  loginFailuresPerAccount: number;
  /** Failed sign-ins per client address in 15 minutes before the next is a 429; 0 = no limit. */
  loginFailuresPerAddress: number;
  /** Failed credential lookups (API key, session, embed or webhook token) per client address in a minute; 0 = no limit. */
  credentialFailuresPerAddress: number;
  /** Proxies whose X-Forwarded-* headers are believed (Fastify `trustProxy`): none, all, a hop count or addresses. */
  trustProxy: boolean | number | string;
  /** smtp:// or smtps:// URL; undefined = emails are kept in the outbox. */
  smtpUrl?: string;
  smtpFrom: string;
  /** The address users open Rosetta at, without a trailing slash; emails link to dashboards under it. */
  publicUrl?: string;
  /** Hosts, addresses and CIDR ranges webhook and Slack deliveries may reach although private. */
  outboundAllow: string[];
  /** Emails each organization may send per day. */
  emailDailyQuota: number;
  /** Largest uploaded file an email may attach, in MB (at most the 50 MB request body limit). */
  emailAttachmentMaxMb: number;
  /** Hours export files and their download links live. */
  exportRetentionHours: number;
  /** Quote-prefix CSV/XLSX text cells that start like a formula (OWASP CSV injection). */
  exportFormulaEscape: boolean;
  /** Largest upload (CSV, gzipped CSV once decompressed, JSON rows file) in MB. */
  uploadMaxMb: number;
  /** Bearer token `GET /metrics` asks for; undefined = metrics are served to anyone who reaches the port. */
  metricsToken?: string;
  /** Seconds a stopping server lets running jobs finish before interrupting them (they are requeued). */
  shutdownGraceSeconds: number;
  /** The knobs of each face. */
  faces: {
    native: FaceRequestLimits;
    serenytics: SerenyticsFaceConfig;
    lightdash: LightdashFaceConfig;
    holistics: HolisticsFaceConfig;
    sisense: SisenseFaceConfig;
  };
  /** Wall-clock limit of one script run, in seconds. */
  scriptTimeoutSeconds: number;
  /** Address-space (Python) or heap (Node) limit of one script run, in MB. */
  scriptMemoryMb: number;
  /** Interpreter of Python script runs: a command on PATH or an absolute path. */
  scriptPython: string;
  /** `bwrap`: script runs in a bubblewrap sandbox that cannot see the data dir; `off`: unsandboxed. */
  scriptSandbox: 'bwrap' | 'off';
}

export interface FaceRequestLimits {
  /** Requests each caller may send to each route of the face in a minute; 0 = no limit. */
  requestsPerMinute: number;
}

export interface SerenyticsFaceConfig extends FaceRequestLimits {
  /** Row cap of `formatted_data` and `data-api` answers (the vendor documents 20 000). */
  maxRows: number;
  /** Quote-prefix the data API's CSV cells that start like a formula (follows `exportFormulaEscape`). */
  escapeFormulas: boolean;
}

export interface LightdashFaceConfig extends FaceRequestLimits {
  /** Most rows a Lightdash query may ask for (`GET /api/v1/health` reports it as `query.maxLimit`). */
  maxLimit: number;
  /** Most rows one page of Lightdash query results holds (`query.maxPageSize`). */
  maxPageSize: number;
}

export interface HolisticsFaceConfig {
  /** Calls a minute per user and route at each of the seed's levels 1, 2 and 3 (0 turns a level off). */
  rateLimits: { 1: number; 2: number; 3: number };
  /** Most rows a dataset query may ask for (`limit`); above it, a 422. */
  maxRows: number;
}

export interface SisenseFaceConfig extends FaceRequestLimits {
  /** Most rows a JAQL query answers (its `count`, or the cap when it sets none). */
  maxRows: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** `https://bi.example.com/rosetta/` → `https://bi.example.com/rosetta`; unset → undefined. */
function parsePublicUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`ROSETTA_PUBLIC_URL is not a URL: "${value}"`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username) {
    throw new ConfigError(
      `ROSETTA_PUBLIC_URL must be a plain http(s) address like https://bi.example.com, got "${value}"`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

/** Long enough not to be guessed, and a single header token. */
function metricsToken(env: Env): string | undefined {
  const token = env.ROSETTA_METRICS_TOKEN;
  if (!token) return undefined;
  if (!/^[\x21-\x7e]{16,256}$/.test(token))
    throw new ConfigError('ROSETTA_METRICS_TOKEN must be 16 to 256 printable characters without spaces');
  return token;
}

/** A face's request limit: off unless set, as a face's clients may not expect 429s. */
const requestsPerMinute = (env: Env, name: string) => integer(env, name, 0, 0, 1_000_000);

/** `ROSETTA_HOLISTICS_RATE_LIMITS=120,60,20`: the quota of each level, as Holistics documents them by default. */
function holisticsRateLimits(env: Env): HolisticsFaceConfig['rateLimits'] {
  const name = 'ROSETTA_HOLISTICS_RATE_LIMITS';
  const raw = env[name] ?? '';
  if (raw === '') return { 1: 120, 2: 60, 3: 20 };
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.length !== 3 || parts.some((part) => !/^[0-9]{1,7}$/.test(part)))
    throw new ConfigError(`${name} must be three integers (levels 1, 2, 3) such as 120,60,20, got "${raw}"`);
  const [one, two, three] = parts.map(Number);
  return { 1: one, 2: two, 3: three };
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

/** A CSP source that names where a page may be framed from, and nothing that could break out of the header. */
const FRAME_SOURCE = /^(\*|'self'|'none'|https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?)$/i;

function embedOrigins(env: Env): string[] {
  const raw = env.ROSETTA_EMBED_ORIGINS || '*';
  const origins = raw.split(/[\s,]+/).filter(Boolean);
  const bad = origins.find((origin) => !FRAME_SOURCE.test(origin));
  // `'none'` beside other sources would be ignored by browsers, so it must stand alone.
  if (origins.length === 0 || bad !== undefined || (origins.includes("'none'") && origins.length > 1)) {
    throw new ConfigError(
      `ROSETTA_EMBED_ORIGINS must list origins such as https://intranet.example.com (or *, 'self', 'none'), got "${bad ?? raw}"`,
    );
  }
  return origins;
}

/** Behind a reverse proxy the client's address is in X-Forwarded-For, believed only from the proxies named. */
function trustProxy(env: Env): boolean | number | string {
  const raw = env.ROSETTA_TRUST_PROXY?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return integer(env, 'ROSETTA_TRUST_PROXY', 0, 1, 100);
  const addresses = raw.split(/\s*,\s*/);
  const bad = addresses.find((entry) => {
    const [address = '', bits, ...rest] = entry.split('/');
    const version = isIP(address);
    const maxBits = version === 6 ? 128 : 32;
    return (
      version === 0 ||
      rest.length > 0 ||
      (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= maxBits))
    );
  });
  if (bad !== undefined) {
    throw new ConfigError(
      `ROSETTA_TRUST_PROXY must be true, a number of proxies, or addresses/CIDRs such as 10.0.0.0/8, got "${bad}"`,
    );
  }
  return addresses.join(',');
}

/** The secret is generated once and kept in the data dir, so encrypted secrets survive restarts. */
function sharedStorage(env: Env): SharedStorageSpec | undefined {
  const raw = env.ROSETTA_STORAGE_URL;
  if (!raw) return undefined;
  try {
    return sharedStorageSpecOf(raw);
  } catch (error) {
    throw new ConfigError(`ROSETTA_STORAGE_URL ${(error as Error).message}`);
  }
}

function loadOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(env.ROSETTA_DATA_DIR || './data');
  // Private to the server's user: it holds the secret, the metadata and the warehouse.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const redisUrl = env.ROSETTA_REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\/[^/\s]/.test(redisUrl)) {
    // Not echoed: the URL may hold a password.
    throw new ConfigError('ROSETTA_REDIS_URL must be a redis:// or rediss:// URL');
  }
  const filesDir = env.ROSETTA_FILES_DIR ? resolve(env.ROSETTA_FILES_DIR) : dataDir;
  mkdirSync(filesDir, { recursive: true, mode: 0o700 });
  const filesStore = databaseUrl && !env.ROSETTA_FILES_DIR ? 'postgres' : 'directory';
  const secret = env.ROSETTA_SECRET || loadOrCreateSecret(dataDir);
  if (secret.length < 16) throw new ConfigError('ROSETTA_SECRET must be at least 16 characters');

  const adminEmail = env.ROSETTA_ADMIN_EMAIL || 'admin@rosetta.local';
  if (!/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    throw new ConfigError(`ROSETTA_ADMIN_EMAIL is not an email address: "${adminEmail}"`);
  }
  const adminPassword = env.ROSETTA_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError('ROSETTA_ADMIN_PASSWORD must be at least 8 characters');
  }
  const bootstrapApiKey = env.ROSETTA_BOOTSTRAP_API_KEY || undefined;
  if (bootstrapApiKey !== undefined && (bootstrapApiKey.length < 32 || /\s/.test(bootstrapApiKey))) {
    throw new ConfigError('ROSETTA_BOOTSTRAP_API_KEY must be at least 32 characters without spaces');
  }

  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
    throw new ConfigError('SMTP_URL must be an smtp:// or smtps:// URL');
  }
  const smtpFrom = env.SMTP_FROM || 'Rosetta <rosetta@localhost>';
  if (!/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(smtpFrom)) {
    throw new ConfigError(`SMTP_FROM must be an address or "Name <address>", got "${smtpFrom}"`);
  }

  const publicUrl = parsePublicUrl(env.ROSETTA_PUBLIC_URL);

  let outboundAllow: string[];
  try {
    outboundAllow = parseOutboundAllowList(env.ROSETTA_OUTBOUND_ALLOW ?? '');
  } catch (error) {
    throw new ConfigError(`ROSETTA_OUTBOUND_ALLOW: ${(error as Error).message}`);
  }

  const scriptPython = env.ROSETTA_PYTHON || 'python3';
  if (!/^[\w./+-]+$/.test(scriptPython)) {
    throw new ConfigError(
      `ROSETTA_PYTHON must be a command name or a path without spaces, got "${scriptPython}"`,
    );
  }

  const scriptSandbox = env.ROSETTA_SCRIPT_SANDBOX || 'bwrap';
  if (scriptSandbox !== 'bwrap' && scriptSandbox !== 'off') {
    throw new ConfigError(`ROSETTA_SCRIPT_SANDBOX must be bwrap or off, got "${scriptSandbox}"`);
  }

  const exportFormulaEscape = flag(env, 'ROSETTA_EXPORT_FORMULA_ESCAPE', true);
  const maxQueryRows = integer(env, 'ROSETTA_MAX_QUERY_ROWS', 1_000_000, 1, 100_000_000);
  // A Serenytics answer is one query: its cap cannot exceed what any query may return.
  const serenyticsMaxRows = integer(
    env,
    'ROSETTA_SERENYTICS_MAX_ROWS',
    Math.min(20_000, maxQueryRows),
    1,
    maxQueryRows,
  );

  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir,
    databaseUrl,
    filesDir,
    filesStore,
    redisUrl,
    sharedStorage: sharedStorage(env),
    secret,
    adminEmail,
    adminPassword,
    bootstrapApiKey,
    demo: flag(env, 'ROSETTA_DEMO', true),
    maxQueryRows,
    queryTimeoutSeconds: integer(env, 'ROSETTA_QUERY_TIMEOUT', 120, 1, 86_400),
    queryResultRetentionMinutes: integer(env, 'ROSETTA_QUERY_RESULT_RETENTION_MINUTES', 60, 1, 7 * 24 * 60),
    sessionHours: integer(env, 'ROSETTA_SESSION_HOURS', 24 * 7, 1, 24 * 365),
    logLevel: env.LOG_LEVEL || 'info',
    embedOrigins: embedOrigins(env),
    loginFailuresPerAccount: integer(env, 'ROSETTA_LOGIN_FAILURES_PER_ACCOUNT', 10, 0, 1_000_000),
    loginFailuresPerAddress: integer(env, 'ROSETTA_LOGIN_FAILURES_PER_ADDRESS', 50, 0, 1_000_000),
    credentialFailuresPerAddress: integer(env, 'ROSETTA_CREDENTIAL_FAILURES_PER_ADDRESS', 30, 0, 1_000_000),
    trustProxy: trustProxy(env),
    smtpUrl,
    smtpFrom,
    publicUrl,
    outboundAllow,
    emailDailyQuota: integer(env, 'ROSETTA_EMAIL_DAILY_QUOTA', 50, 0, 1_000_000),
    emailAttachmentMaxMb: integer(env, 'ROSETTA_EMAIL_ATTACHMENT_MAX_MB', 20, 1, 50),
    exportRetentionHours: integer(env, 'ROSETTA_EXPORT_RETENTION_HOURS', 24, 1, 24 * 365),
    exportFormulaEscape,
    // 1 GiB: the native upload's former fixed cap; ~10 million rows of typical CSV, while a
    // gzip bomb stops there instead of filling the disk and the warehouse.
    uploadMaxMb: integer(env, 'ROSETTA_UPLOAD_MAX_MB', 1024, 1, 1024 * 1024),
    metricsToken: metricsToken(env),
    // Below the 30 s a container orchestrator waits after SIGTERM before it kills.
    shutdownGraceSeconds: integer(env, 'ROSETTA_SHUTDOWN_GRACE_SECONDS', 25, 0, 3600),
    faces: {
      native: { requestsPerMinute: requestsPerMinute(env, 'ROSETTA_NATIVE_RATE_LIMIT_PER_MINUTE') },
      serenytics: {
        maxRows: serenyticsMaxRows,
        escapeFormulas: exportFormulaEscape,
        requestsPerMinute: requestsPerMinute(env, 'ROSETTA_SERENYTICS_RATE_LIMIT_PER_MINUTE'),
      },
      lightdash: {
        // Like Serenytics' cap, a Lightdash query cannot ask for more than any query may return.
        maxLimit: integer(env, 'ROSETTA_LIGHTDASH_MAX_LIMIT', Math.min(5000, maxQueryRows), 1, maxQueryRows),
        maxPageSize: integer(env, 'ROSETTA_LIGHTDASH_MAX_PAGE_SIZE', 2500, 1, 100_000),
        requestsPerMinute: requestsPerMinute(env, 'ROSETTA_LIGHTDASH_RATE_LIMIT_PER_MINUTE'),
      },
      holistics: {
        rateLimits: holisticsRateLimits(env),
        maxRows: integer(env, 'ROSETTA_HOLISTICS_MAX_ROWS', maxQueryRows, 1, maxQueryRows),
      },
      sisense: {
        maxRows: integer(env, 'ROSETTA_SISENSE_MAX_ROWS', maxQueryRows, 1, maxQueryRows),
        requestsPerMinute: requestsPerMinute(env, 'ROSETTA_SISENSE_RATE_LIMIT_PER_MINUTE'),
      },
    },
    scriptTimeoutSeconds: integer(env, 'ROSETTA_SCRIPT_TIMEOUT_SECONDS', 600, 1, 86_400),
    scriptMemoryMb: integer(env, 'ROSETTA_SCRIPT_MEMORY_MB', 512, 64, 65_536),
    scriptPython,
    scriptSandbox,
  };
}
