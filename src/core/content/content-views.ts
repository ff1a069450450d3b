import type { Principal } from '../auth/principal.ts';
import type { Db } from './repo.ts';
import type { ViewedKind } from './view-tables.ts';

export type { ViewedKind } from './view-tables.ts';

/** How often a chart or dashboard was opened; `firstViewedAt` is null while it never was. */
export interface ViewStats {
  views: number;
  /** How many different users opened it. */
  viewers: number;
  firstViewedAt: string | null;
  lastViewedAt: string | null;
}

const NEVER: ViewStats = { views: 0, viewers: 0, firstViewedAt: null, lastViewedAt: null };

/**
 * Credentials that stand for a person opening the object. A script run or a data key reads
 * content for a program, and schedules read it with principals of their own (kind `schedule`
 * is not a credential): none of those is a view.
 */
const viewerKinds: ReadonlySet<Principal['kind']> = new Set(['session', 'apiKey', 'embed']);

/**
 * View counts of charts and dashboards. The chart and dashboard services record a view on every
 * `get` (what every face calls to open one); reads that are not a person opening the object
 * (listings, lookups by other services) use their `lookup`, which does not count.
 */
export class ContentViews {
  constructor(private readonly db: Db) {}

  /** Counts one view of the object by the principal; a failed count never fails the read. */
  async record(principal: Principal, kind: ViewedKind, objectId: number) {
    const organizationId = principal.organizationId;
    if (!viewerKinds.has(principal.kind)) return;
    const now = new Date().toISOString();
    try {
      await this.db
        .insertInto('content_views')
        .values({
          organization_id: organizationId,
          kind,
          object_id: objectId,
          views: 1,
          first_viewed_at: now,
          last_viewed_at: now,
        })
        .onConflict((conflict) =>
          conflict.columns(['kind', 'object_id']).doUpdateSet((eb) => ({
            views: eb('content_views.views', '+', 1),
            last_viewed_at: now,
          })),
        )
        .execute();
      // An embed session acts for the embed, not for one person: it counts, but as nobody.
      if (principal.kind === 'embed') return;
      await this.db
        .insertInto('content_viewers')
        .values({
          kind,
          object_id: objectId,
          user_id: principal.userId,
          views: 1,
          first_viewed_at: now,
          last_viewed_at: now,
        })
        .onConflict((conflict) =>
          conflict.columns(['kind', 'object_id', 'user_id']).doUpdateSet((eb) => ({
            views: eb('content_viewers.views', '+', 1),
            last_viewed_at: now,
          })),
        )
        .execute();
    } catch (error) {
      // Counting is bookkeeping: the caller still gets what it asked to read.
      console.warn(`content views: could not count a view of ${kind} ${objectId}:`, error);
    }
  }

  /**
   * The counts of objects of one kind, by id (of the organization's objects of that kind when
   * `ids` is absent); ids without a row were never viewed. The ids are ones the caller already may
   * see (its service listed or found them): a count tells nothing else about an object.
   */
  async statsOf(
    principal: Principal,
    kind: ViewedKind,
    ids?: readonly number[],
  ): Promise<Map<number, ViewStats>> {
    const stats = new Map<number, ViewStats>();
    if (ids?.length === 0) return stats;
    const unique = ids && [...new Set(ids)];
    let counts = this.db
      .selectFrom('content_views')
      .select(['object_id', 'views', 'first_viewed_at', 'last_viewed_at'])
      .where('organization_id', '=', principal.organizationId)
      .where('kind', '=', kind);
    let viewers = this.db
      .selectFrom('content_viewers')
      .innerJoin('content_views', (join) =>
        join
          .onRef('content_views.kind', '=', 'content_viewers.kind')
          .onRef('content_views.object_id', '=', 'content_viewers.object_id'),
      )
      .select((eb) => ['content_viewers.object_id', eb.fn.countAll<number>().as('viewers')])
      .where('content_views.organization_id', '=', principal.organizationId)
      .where('content_viewers.kind', '=', kind)
      .groupBy('content_viewers.object_id');
    if (unique) {
      counts = counts.where('object_id', 'in', unique);
      viewers = viewers.where('content_viewers.object_id', 'in', unique);
    }
    const [rows, distinct] = await Promise.all([counts.execute(), viewers.execute()]);
    const viewersOf = new Map(distinct.map((row) => [row.object_id, Number(row.viewers)]));
    for (const row of rows)
      stats.set(row.object_id, {
        views: Number(row.views),
        viewers: viewersOf.get(row.object_id) ?? 0,
        firstViewedAt: row.first_viewed_at,
        lastViewedAt: row.last_viewed_at,
      });
    return stats;
  }

  async statsOne(principal: Principal, kind: ViewedKind, id: number): Promise<ViewStats> {
    return (await this.statsOf(principal, kind, [id])).get(id) ?? NEVER;
  }
}
