import type { Selectable } from 'kysely';
import type { Store } from '../../store/database.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { validationError } from '../errors.ts';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../paging.ts';
import type { AuditEventRow } from './tables.ts';

export interface AuditEvent {
  id: number;
  at: string;
  action: string;
  actor: { id: number | null; email: string | null; credential: string | null; address: string | null };
  target: { type: string; id: string } | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  /** An action, or a prefix ending in `.` (`apikey.`). */
  action?: unknown;
  actorId?: unknown;
  targetType?: unknown;
  targetId?: unknown;
  /** ISO-8601 bounds, inclusive. */
  since?: unknown;
  until?: unknown;
  /** Newest first; events older than this id (the previous page's `next`). */
  before?: unknown;
  /** The paging contract's name for `before`, so the audit log walks like every other list. */
  after?: unknown;
  limit?: unknown;
}

export interface AuditPage {
  items: AuditEvent[];
  /** Pass as `after` (or `before`) for the next page; null on the last one. */
  next: number | null;
}

export interface AuditService {
  list(principal: Principal, filter?: AuditFilter): Promise<AuditPage>;
}

const toEvent = (row: Selectable<AuditEventRow>): AuditEvent => ({
  id: row.id,
  at: row.at,
  action: row.action,
  actor: { id: row.actor_id, email: row.actor_email, credential: row.credential, address: row.address },
  target: row.target_type === null ? null : { type: row.target_type, id: row.target_id ?? '' },
  details: JSON.parse(row.details) as Record<string, unknown>,
});

function text(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200)
    throw validationError(field, 'must be a text of 1 to 200 characters');
  return value;
}

function positive(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (!Number.isInteger(number) || (number as number) < 1 || (number as number) > max)
    throw validationError(field, `must be an integer from 1 to ${max}`);
  return number as number;
}

function instant(field: string, value: unknown): string | undefined {
  const given = text(field, value);
  if (given === undefined) return undefined;
  const date = new Date(given);
  if (Number.isNaN(date.getTime())) throw validationError(field, 'must be an ISO-8601 date or date-time');
  return date.toISOString();
}

/** Admins read their organization's audit log, newest first, filtered and paged. */
export function createAuditService(store: Pick<Store, 'db'>): AuditService {
  const { db } = store;
  return {
    async list(principal, filter = {}) {
      authorize(principal, 'audit.read');
      const action = text('action', filter.action);
      const actorId = positive('actorId', filter.actorId);
      const targetType = text('targetType', filter.targetType);
      const targetId = text('targetId', filter.targetId);
      const since = instant('since', filter.since);
      const until = instant('until', filter.until);
      if (filter.before !== undefined && filter.after !== undefined)
        throw validationError('after', 'give `after` or its older name `before`, not both');
      const before = positive('before', filter.before) ?? positive('after', filter.after);
      const limit = positive('limit', filter.limit, MAX_PAGE_LIMIT) ?? DEFAULT_PAGE_LIMIT;
      let query = db
        .selectFrom('audit_events')
        .selectAll()
        .where('organization_id', '=', principal.organizationId);
      if (action !== undefined)
        query = action.endsWith('.')
          ? query.where('action', 'like', `${action.replaceAll(/[%_\\]/g, '')}%`)
          : query.where('action', '=', action);
      if (actorId !== undefined) query = query.where('actor_id', '=', actorId);
      if (targetType !== undefined) query = query.where('target_type', '=', targetType);
      if (targetId !== undefined) query = query.where('target_id', '=', targetId);
      if (since !== undefined) query = query.where('at', '>=', since);
      if (until !== undefined) query = query.where('at', '<=', until);
      if (before !== undefined) query = query.where('id', '<', before);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toEvent);
      return { items, next: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },
  };
}
