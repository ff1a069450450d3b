import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Store } from '../../store/database.ts';
import { recordAudit } from '../audit/index.ts';
import { conflict, forbidden, notFound, RosettaError, unauthenticated, validationError } from '../errors.ts';
import { authorize, can } from './authorize.ts';
import { boundedAttributes, checkGrantable, variablesOf } from './embed-values.ts';
import type { Attributes, Principal } from './principal.ts';
import { sha256 } from './secrets.ts';
import type { EmbedTokenRow } from './tables.ts';

/**
 * Embed links: a secret URL that opens one dashboard for a limited time, at most `maxUses`
 * times. Opening hands the page an embed session, the credential of its later requests; the
 * link itself only opens, so every page load counts. An embed acts for the editor who created it
 * and sees at most what they see: their attributes bound its row-policy values (admins may set
 * any), and it works only while they may still edit the dashboard. Every request re-checks the
 * expiry, the revocation and the creator, so a dashboard left open stops answering.
 */
export const MAX_EMBED_SECONDS = 5 * 24 * 3600;
const EXPIRED = 'this embed URL has expired';
const SESSION_PREFIX = 'emb_';

/** Whether a credential is an embed session (rather than the link that opens one). */
export const isEmbedSession = (credential: string): boolean => credential.startsWith(SESSION_PREFIX);

export interface NewEmbed {
  expiresInSeconds: unknown;
  variables?: unknown;
  maxUses?: unknown;
}

export type EmbedStatus = 'active' | 'expired' | 'used_up' | 'revoked';

export interface EmbedLink {
  id: number;
  uuid: string;
  dashboardId: number;
  createdBy: number;
  createdAt: string;
  expiresAt: string;
  maxUses: number | null;
  uses: number;
  variables: Attributes;
  status: EmbedStatus;
  revokedAt: string | null;
  revokedReason: string | null;
}

export interface OpenedEmbed {
  principal: Principal;
  /** The credential of the embedded page's requests (`Authorization: Embed <session>`). */
  session: string;
}

/** What embeds need of the content and directory modules. */
export interface EmbedDeps {
  store: Pick<Store, 'db'>;
  /** The server secret: embed sessions are signed with a key derived from it. */
  secret: string;
  /** Whether the principal may edit the dashboard (ERR_NOT_FOUND when it cannot see it). */
  canEditDashboard(principal: Principal, ref: number | string): Promise<{ id: number; editable: boolean }>;
  /** The user as they are now; undefined once deleted or deactivated. */
  userPrincipal(organizationId: number, userId: number): Promise<Principal | undefined>;
  /** The organization's attribute keys: the ones row policies may use. */
  attributeKeys(organizationId: number): Promise<string[]>;
  now?: () => Date;
}

export interface EmbedService {
  create(
    principal: Principal,
    dashboard: string | number,
    input: NewEmbed,
  ): Promise<{ token: string; embed: EmbedLink }>;
  list(principal: Principal, dashboard: string | number): Promise<EmbedLink[]>;
  revoke(principal: Principal, id: number | string): Promise<EmbedLink>;
  /** Opening the embed URL: counts one use; ERR_FORBIDDEN once expired, used up or revoked. */
  open(token: string, origin?: { address?: string }): Promise<OpenedEmbed>;
  /** The link a token opens, without opening it (no use counted); ERR_UNAUTHENTICATED when unknown. */
  describe(token: string): Promise<EmbedLink>;
  /** An embed session's later requests: ERR_UNAUTHENTICATED once expired or revoked. */
  authenticate(session: string): Promise<Principal>;
  /** Stops the embeds of a deleted dashboard (a creator's are stopped at their next use). */
  revokeAll(scope: { dashboardId: number }, reason: string): Promise<number>;
}

const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function createEmbedService(deps: EmbedDeps): EmbedService {
  const { db } = deps.store;
  const now = deps.now ?? (() => new Date());
  const sessionKey = createHmac('sha256', deps.secret).update('rosetta embed sessions').digest();

  const statusOf = (row: Selectable<EmbedTokenRow>): EmbedStatus =>
    row.revoked_at !== null
      ? 'revoked'
      : row.expires_at <= now().toISOString()
        ? 'expired'
        : row.max_uses !== null && row.uses >= row.max_uses
          ? 'used_up'
          : 'active';

  const toLink = (row: Selectable<EmbedTokenRow>): EmbedLink => ({
    id: row.id,
    uuid: row.uuid,
    dashboardId: row.dashboard_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    maxUses: row.max_uses,
    uses: row.uses,
    variables: JSON.parse(row.variables) as Attributes,
    status: statusOf(row),
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
  });

  const mac = (payload: string) => createHmac('sha256', sessionKey).update(payload).digest('base64url');

  async function stop(row: Selectable<EmbedTokenRow>, reason: string): Promise<void> {
    await db
      .updateTable('embed_tokens')
      .set({ revoked_at: now().toISOString(), revoked_reason: reason, updated_at: now().toISOString() })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /**
   * The embed's principal as its creator is now; the embed stops for good when the creator is
   * gone, lost edit rights or the dashboard was deleted.
   */
  async function principalOf(row: Selectable<EmbedTokenRow>): Promise<Principal> {
    const creator = await deps.userPrincipal(row.organization_id, row.created_by);
    const editable =
      creator &&
      can(creator, 'embed.create') &&
      (await deps.canEditDashboard(creator, row.dashboard_id).then(
        (found) => found.editable,
        () => false,
      ));
    if (!creator || !editable) {
      await stop(
        row,
        creator ? 'the creator may no longer edit the dashboard' : 'the creator is no longer active',
      );
      throw unauthenticated('this embed URL was revoked');
    }
    const variables = JSON.parse(row.variables) as Attributes;
    return {
      kind: 'embed',
      userId: creator.userId,
      userUuid: creator.userUuid,
      email: creator.email,
      organizationId: creator.organizationId,
      projectId: creator.projectId,
      role: 'viewer',
      groupIds: [],
      attributes: boundedAttributes(creator, variables),
      variables,
      embedDashboardId: row.dashboard_id,
      embedId: row.id,
      expiresAt: new Date(row.expires_at),
    };
  }

  async function manageable(principal: Principal, row: Selectable<EmbedTokenRow> | undefined, ref: unknown) {
    authorize(principal, 'embed.create');
    if (!row || row.organization_id !== principal.organizationId) throw notFound('embed', String(ref));
    const dashboard = await deps.canEditDashboard(principal, row.dashboard_id).catch(() => undefined);
    if (!dashboard) throw notFound('embed', String(ref));
    if (!dashboard.editable) throw forbidden('revoke embeds of a dashboard you cannot edit');
    return row;
  }

  return {
    async create(principal, ref, input) {
      authorize(principal, 'embed.create');
      const seconds = input.expiresInSeconds;
      if (
        typeof seconds !== 'number' ||
        !Number.isInteger(seconds) ||
        seconds <= 0 ||
        seconds > MAX_EMBED_SECONDS
      )
        throw validationError(
          'expiresInSeconds',
          `must be an integer from 1 to ${MAX_EMBED_SECONDS} seconds (5 days)`,
        );
      const maxUses = input.maxUses;
      if (
        maxUses !== undefined &&
        maxUses !== null &&
        (typeof maxUses !== 'number' || !Number.isInteger(maxUses) || maxUses < 1)
      )
        throw validationError('maxUses', 'must be an integer of at least 1');
      const variables = variablesOf(input.variables);
      const dashboard = await deps.canEditDashboard(principal, ref);
      if (!dashboard.editable) throw forbidden('embed a dashboard you cannot edit');
      checkGrantable(principal, variables, await deps.attributeKeys(principal.organizationId));
      const token = randomBytes(24).toString('base64url');
      const created = now().toISOString();
      const row = await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('embed_tokens')
          .values({
            uuid: randomUUID(),
            organization_id: principal.organizationId,
            dashboard_id: dashboard.id,
            token_hash: sha256(token),
            created_by: principal.userId,
            variables: JSON.stringify(variables),
            expires_at: new Date(now().getTime() + seconds * 1000).toISOString(),
            max_uses: typeof maxUses === 'number' ? maxUses : null,
            uses: 0,
            revoked_at: null,
            revoked_reason: null,
            created_at: created,
            updated_at: created,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, principal, {
          action: 'embed.create',
          target: { type: 'embed', id: inserted.id },
          details: {
            dashboardId: dashboard.id,
            variables,
            expiresAt: inserted.expires_at,
            maxUses: inserted.max_uses,
          },
        });
        return inserted;
      });
      return { token, embed: toLink(row) };
    },

    async list(principal, ref) {
      authorize(principal, 'embed.create');
      const dashboard = await deps.canEditDashboard(principal, ref);
      if (!dashboard.editable) throw forbidden('list embeds of a dashboard you cannot edit');
      const ofDashboard = () =>
        db
          .selectFrom('embed_tokens')
          .selectAll()
          .where('organization_id', '=', principal.organizationId)
          .where('dashboard_id', '=', dashboard.id)
          .orderBy('id', 'desc')
          .execute();
      // A creator who left or lost edit rights has stopped their embeds: the list says so.
      for (const row of await ofDashboard())
        if (statusOf(row) === 'active') await principalOf(row).catch(() => undefined);
      return (await ofDashboard()).map(toLink);
    },

    async revoke(principal, ref) {
      const id = typeof ref === 'string' && /^\d+$/.test(ref) ? Number(ref) : ref;
      const found = await db
        .selectFrom('embed_tokens')
        .selectAll()
        .where(typeof id === 'number' ? 'id' : 'uuid', '=', id)
        .executeTakeFirst();
      const row = await manageable(principal, found, ref);
      if (row.revoked_at !== null) throw conflict(`embed ${row.id} is already revoked`);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('embed_tokens')
          .set({
            revoked_at: now().toISOString(),
            revoked_reason: `revoked by ${principal.email}`,
            updated_at: now().toISOString(),
          })
          .where('id', '=', row.id)
          .execute();
        await recordAudit(trx, principal, {
          action: 'embed.revoke',
          target: { type: 'embed', id: row.id },
          details: { dashboardId: row.dashboard_id },
        });
      });
      return toLink(
        await db.selectFrom('embed_tokens').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow(),
      );
    },

    async open(token, origin = {}) {
      const at = now().toISOString();
      const hash = sha256(String(token));
      const row = await db
        .selectFrom('embed_tokens')
        .selectAll()
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      if (!row) throw unauthenticated('unknown embed token');
      if (row.revoked_at !== null) throw new RosettaError('ERR_FORBIDDEN', 'this embed URL was revoked');
      const principal = await principalOf(row).catch((error: unknown) => {
        throw error instanceof RosettaError ? new RosettaError('ERR_FORBIDDEN', error.message) : error;
      });
      // One statement checks and counts, so two concurrent opens cannot both take the last use.
      const counted = await db
        .updateTable('embed_tokens')
        .set((eb) => ({ uses: eb('uses', '+', 1), updated_at: at }))
        .where('id', '=', row.id)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', at)
        .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
        .executeTakeFirst();
      if (Number(counted.numUpdatedRows) === 0) {
        // Refused rather than unauthenticated: the token is known, it may just not open again.
        throw new RosettaError(
          'ERR_FORBIDDEN',
          row.expires_at <= at ? EXPIRED : 'this embed URL was already opened as many times as allowed',
        );
      }
      if (origin.address !== undefined) principal.address = origin.address;
      const nonce = randomBytes(12).toString('base64url');
      return { principal, session: `${SESSION_PREFIX}${row.uuid}.${nonce}.${mac(`${row.uuid}.${nonce}`)}` };
    },

    async describe(token) {
      const row = await db
        .selectFrom('embed_tokens')
        .selectAll()
        .where('token_hash', '=', sha256(String(token)))
        .executeTakeFirst();
      if (!row) throw unauthenticated('unknown embed token');
      return toLink(row);
    },

    async authenticate(session) {
      const match = /^emb_([0-9a-f-]{36})\.([\w-]{16})\.([\w-]{43})$/.exec(String(session));
      const [, uuid = '', nonce = '', signature = ''] = match ?? [];
      if (!match || !sameText(mac(`${uuid}.${nonce}`), signature))
        throw unauthenticated('unknown embed session: open the embed URL first');
      const row = await db.selectFrom('embed_tokens').selectAll().where('uuid', '=', uuid).executeTakeFirst();
      if (!row) throw unauthenticated('unknown embed session');
      if (row.revoked_at !== null) throw unauthenticated('this embed URL was revoked');
      if (row.expires_at <= now().toISOString()) throw unauthenticated(EXPIRED);
      return principalOf(row);
    },

    async revokeAll(scope, reason) {
      const result = await db
        .updateTable('embed_tokens')
        .set({ revoked_at: now().toISOString(), revoked_reason: reason, updated_at: now().toISOString() })
        .where('revoked_at', 'is', null)
        .where('dashboard_id', '=', scope.dashboardId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
