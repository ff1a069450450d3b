import { randomBytes, randomUUID } from 'node:crypto';
import type { Store } from '../../store/database.ts';
import type { ContentService } from '../content/index.ts';
import type { DataSourceService } from '../data/index.ts';
import { forbidden, RosettaError, unauthenticated, validationError } from '../errors.ts';
import { type Attributes, type Principal, roleAtLeast } from './principal.ts';
import { sha256 } from './secrets.ts';

/**
 * Embed tokens: a secret URL parameter that opens one dashboard for a limited time, at most
 * `maxUses` times, as a viewer restricted to that dashboard's data sources. The token's
 * variables become the principal's attributes, so row policies filter the embedded data by
 * them. Every data request re-checks the expiry: a dashboard left open stops answering.
 */
export const MAX_EMBED_SECONDS = 5 * 24 * 3600;
const EXPIRED = 'this embed URL has expired';

export interface NewEmbed {
  expiresInSeconds: unknown;
  variables?: unknown;
  maxUses?: unknown;
}

export interface EmbedService {
  create(
    principal: Principal,
    dashboard: string,
    input: NewEmbed,
  ): Promise<{ token: string; expiresAt: string }>;
  /** Opening the embed URL: counts one use; ERR_FORBIDDEN once expired or used up. */
  open(token: string): Promise<Principal>;
  /** The embed's later data requests: ERR_UNAUTHENTICATED once expired, uses not counted. */
  authenticate(token: string): Promise<Principal>;
}

function attributesOf(variables: unknown): Attributes {
  if (variables === undefined || variables === null) return {};
  if (typeof variables !== 'object' || Array.isArray(variables))
    throw validationError('variables', 'must be an object');
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => {
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v)))
        throw validationError(`variables.${key}`, 'must be a string, number, boolean or a list of them');
      return [key, values.map(String)];
    }),
  );
}

export function createEmbedService(deps: {
  store: Store;
  content: ContentService;
  sources: DataSourceService;
  now?: () => Date;
}): EmbedService {
  const { db } = deps.store;
  const now = deps.now ?? (() => new Date());

  const principalOf = (row: { principal: string; expires_at: string }): Principal => ({
    ...(JSON.parse(row.principal) as Principal),
    expiresAt: new Date(row.expires_at),
  });

  return {
    async create(principal, ref, input) {
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
      const attributes = attributesOf(input.variables);
      const dashboard = await deps.content.dashboards.get(principal, ref);
      if (dashboard.ownerId !== principal.userId && !roleAtLeast(principal.role, 'admin'))
        throw forbidden('embed a dashboard you do not own');
      const sourceIds: number[] = [];
      for (const widget of dashboard.widgets) {
        const source =
          widget.query && (await deps.sources.find(principal.organizationId, widget.query.source));
        if (source && !sourceIds.includes(source.id)) sourceIds.push(source.id);
      }
      const expiresAt = new Date(now().getTime() + seconds * 1000).toISOString();
      const embedPrincipal: Principal = {
        kind: 'embed',
        userId: principal.userId,
        userUuid: principal.userUuid,
        email: principal.email,
        organizationId: principal.organizationId,
        projectId: principal.projectId,
        role: 'viewer',
        groupIds: [],
        attributes,
        dataSourceIds: sourceIds,
        embedDashboardId: dashboard.id,
      };
      const token = randomBytes(24).toString('base64url');
      const created = now().toISOString();
      await db
        .insertInto('embed_tokens')
        .values({
          uuid: randomUUID(),
          organization_id: principal.organizationId,
          dashboard_id: dashboard.id,
          token_hash: sha256(token),
          principal: JSON.stringify(embedPrincipal),
          expires_at: expiresAt,
          max_uses: typeof maxUses === 'number' ? maxUses : null,
          uses: 0,
          created_at: created,
          updated_at: created,
        })
        .execute();
      return { token, expiresAt };
    },

    async open(token) {
      const at = now().toISOString();
      const hash = sha256(String(token));
      // One statement checks and counts, so two concurrent opens cannot both take the last use.
      const result = await db
        .updateTable('embed_tokens')
        .set((eb) => ({ uses: eb('uses', '+', 1), updated_at: at }))
        .where('token_hash', '=', hash)
        .where('expires_at', '>', at)
        .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
        .executeTakeFirst();
      const row = await db
        .selectFrom('embed_tokens')
        .selectAll()
        .where('token_hash', '=', hash)
        .executeTakeFirst();
      if (!row) throw unauthenticated('unknown embed token');
      if (Number(result.numUpdatedRows) === 0) {
        // Refused rather than unauthenticated: the token is known, it may just not open again.
        throw new RosettaError(
          'ERR_FORBIDDEN',
          row.expires_at <= at ? EXPIRED : 'this embed URL was already opened as many times as allowed',
        );
      }
      return principalOf(row);
    },

    async authenticate(token) {
      const row = await db
        .selectFrom('embed_tokens')
        .selectAll()
        .where('token_hash', '=', sha256(String(token)))
        .executeTakeFirst();
      if (!row) throw unauthenticated('unknown embed token');
      if (row.expires_at <= now().toISOString()) throw unauthenticated(EXPIRED);
      return principalOf(row);
    },
  };
}
