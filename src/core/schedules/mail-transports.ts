import nodemailer, { type Transporter } from 'nodemailer';
import type { SecretBox } from '../data/index.ts';
import { conflict, notFound, validationError } from '../errors.ts';
import { boolean, filledText, integer, nullableText, record } from '../input.ts';
import type { OutboundPolicy } from './outbound.ts';
import type { Db } from './repo.ts';
import type { MailTransportRow } from './tables.ts';

/**
 * The SMTP server an organization's email leaves through: its own, set at runtime by an admin
 * (the password sealed at rest like connection secrets, never shown), or else the server's
 * configured one (`SMTP_URL`, `SMTP_FROM`). An organization's own server is an outbound
 * destination like a webhook: its host must pass the outbound policy when saved, and the address
 * it resolves to when each message is sent.
 */

export interface MailServer {
  /** `organization`: the organization's own setting; `configuration`: the server's `SMTP_URL`. */
  source: 'organization' | 'configuration';
  host: string;
  port: number;
  /** TLS from the start (smtps); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  username: string | null;
  /** The password is write-only. */
  hasPassword: boolean;
  /** The sender address; null: the server's configured sender. */
  from: string | null;
  updatedAt: string | null;
}

/** Where one organization's messages go: a transport to send with (closed after use) and the sender. */
export interface MailRoute {
  transport: Transporter;
  from: string | undefined;
}

export interface MailTransports {
  /** The organization's server, or the configured one; undefined when mail is only held. */
  view(organizationId: number): Promise<MailServer | undefined>;
  /** Sets the organization's own server; ERR_CONFLICT (`feature.already_configured`) when it has one. */
  create(organizationId: number, body: unknown): Promise<MailServer>;
  /** Changes the organization's own server (ERR_NOT_FOUND without one); an omitted field is kept. */
  update(organizationId: number, body: unknown): Promise<MailServer>;
  /** Removes the organization's own server: its mail goes through the configured one again. */
  remove(organizationId: number): Promise<void>;
  /** The organization's own route; undefined when it has none (the configured transport applies). */
  routeFor(organizationId: number, timeoutMs: number): Promise<MailRoute | undefined>;
}

const FIELDS = ['host', 'port', 'secure', 'username', 'password', 'from'];
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9.]+$|^\[[0-9A-Fa-f:.]+\]$/;
const SENDER = /^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/;
const sealContext = (organizationId: number) => `mail-transport:${organizationId}`;

/** The configured `SMTP_URL` as a server, its password kept out. */
function configuredServer(smtpUrl: string | undefined, from: string | undefined): MailServer | undefined {
  if (!smtpUrl) return undefined;
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    source: 'configuration',
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    username: url.username ? decodeURIComponent(url.username) : null,
    hasPassword: url.password !== '',
    from: from ?? null,
    updatedAt: null,
  };
}

const toServer = (row: MailTransportRow): MailServer => ({
  source: 'organization',
  host: row.host,
  port: row.port,
  secure: row.secure === 1,
  username: row.username,
  hasPassword: row.password_sealed !== null,
  from: row.from_address,
  updatedAt: row.updated_at,
});

export function createMailTransports(deps: {
  db: Db;
  secrets: SecretBox;
  outbound: Pick<OutboundPolicy, 'checkUrl' | 'addressFor'>;
  now: () => Date;
  smtpUrl?: string;
  from?: string;
}): MailTransports {
  const { db, secrets, outbound } = deps;
  const find = (organizationId: number) =>
    db
      .selectFrom('mail_transports')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .executeTakeFirst();

  /** The columns a body sets, checked; `partial` for a change of an existing server. */
  function columns(organizationId: number, body: unknown, partial: boolean) {
    const input = record('', body, FIELDS);
    if (!partial && input.host === undefined) throw validationError('host', 'is required');
    const set: Partial<MailTransportRow> = {};
    if (input.host !== undefined) {
      const host = filledText('host', input.host, 253);
      if (!HOST.test(host)) throw validationError('host', 'must be a host name or an IP address');
      set.host = host;
    }
    if (input.secure !== undefined) set.secure = boolean('secure', input.secure) ? 1 : 0;
    if (input.port !== undefined) set.port = integer('port', input.port, 1, 65_535);
    if (input.username !== undefined) set.username = nullableText('username', input.username, 254) || null;
    if (input.password !== undefined) {
      const password = nullableText('password', input.password, 1024);
      set.password_sealed = password ? secrets.seal(password, sealContext(organizationId)) : null;
    }
    if (input.from !== undefined) {
      const from = nullableText('from', input.from, 254) || null;
      if (from !== null && !SENDER.test(from))
        throw validationError('from', 'must be an address or "Name <address>"');
      set.from_address = from;
    }
    return set;
  }

  const checkHost = (row: Pick<MailTransportRow, 'host' | 'port'>) =>
    outbound.checkUrl(new URL(`smtp://${row.host}:${row.port}`), 'host');

  return {
    async view(organizationId) {
      const row = await find(organizationId);
      return row ? toServer(row) : configuredServer(deps.smtpUrl, deps.from);
    },

    async create(organizationId, body) {
      const set = columns(organizationId, body, false);
      if (await find(organizationId))
        throw conflict(
          'this organization has an email server already',
          undefined,
          'feature.already_configured',
        );
      const secure = set.secure ?? (set.port === 465 ? 1 : 0);
      const row = { ...set, secure, port: set.port ?? (secure ? 465 : 587) } as MailTransportRow;
      checkHost(row);
      const at = deps.now().toISOString();
      // A concurrent create of the same organization's server inserts nothing here: the same conflict.
      const inserted = await db
        .insertInto('mail_transports')
        .values({ ...row, organization_id: organizationId, created_at: at, updated_at: at })
        .onConflict((c) => c.doNothing())
        .returning('organization_id')
        .executeTakeFirst();
      if (!inserted)
        throw conflict(
          'this organization has an email server already',
          undefined,
          'feature.already_configured',
        );
      return toServer((await find(organizationId)) as MailTransportRow);
    },

    async update(organizationId, body) {
      const set = columns(organizationId, body, true);
      const current = await find(organizationId);
      if (!current) throw notFound('email server', organizationId);
      checkHost({ ...current, ...set });
      await db
        .updateTable('mail_transports')
        .set({ ...set, updated_at: deps.now().toISOString() })
        .where('organization_id', '=', organizationId)
        .execute();
      return toServer((await find(organizationId)) as MailTransportRow);
    },

    async remove(organizationId) {
      const deleted = await db
        .deleteFrom('mail_transports')
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw notFound('email server', organizationId);
    },

    async routeFor(organizationId, timeoutMs) {
      const row = await find(organizationId);
      if (!row) return undefined;
      // Connect to the address checked now, naming the host for TLS: DNS cannot move it afterwards.
      const { address } = await outbound.addressFor(new URL(`smtp://${row.host}:${row.port}`));
      const transport = nodemailer.createTransport({
        host: address,
        port: row.port,
        secure: row.secure === 1,
        tls: { servername: row.host.replace(/^\[|\]$/g, '') },
        ...(row.username !== null && {
          auth: {
            user: row.username,
            pass:
              row.password_sealed === null
                ? ''
                : secrets.open(row.password_sealed, sealContext(organizationId)),
          },
        }),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
      });
      return { transport, from: row.from_address ?? undefined };
    },
  };
}
