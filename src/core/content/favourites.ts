import { nowIso } from '../../store/schema.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { DashboardService } from './dashboards.ts';
import type { Db } from './repo.ts';
import type { ContentRef, DashboardSummary } from './types.ts';

/**
 * A user's favourite (starred) dashboards. Visibility is the dashboard service's: one can only
 * star what one can see, and the list drops dashboards the user can no longer see (the rows stay,
 * so a regained share brings the star back).
 */
export class FavouriteService {
  constructor(
    private readonly db: Db,
    private readonly dashboards: Pick<DashboardService, 'lookup' | 'list'>,
  ) {}

  /** Stars a visible dashboard; starring it again changes nothing. */
  async mark(principal: Principal, ref: ContentRef): Promise<void> {
    const userId = ownerOf(principal);
    const { id } = await this.dashboards.lookup(principal, ref);
    await this.db
      .insertInto('dashboard_favourites')
      .values({ user_id: userId, dashboard_id: id, created_at: nowIso() })
      .onConflict((conflict) => conflict.columns(['user_id', 'dashboard_id']).doNothing())
      .execute();
  }

  /** Unstars a visible dashboard; unstarring one that is not starred changes nothing. */
  async unmark(principal: Principal, ref: ContentRef): Promise<void> {
    const userId = ownerOf(principal);
    const { id } = await this.dashboards.lookup(principal, ref);
    await this.db
      .deleteFrom('dashboard_favourites')
      .where('user_id', '=', userId)
      .where('dashboard_id', '=', id)
      .execute();
  }

  /** The caller's visible favourites, most recently starred first. */
  async list(principal: Principal): Promise<DashboardSummary[]> {
    const userId = ownerOf(principal);
    const rows = await this.db
      .selectFrom('dashboard_favourites')
      .select(['dashboard_id', 'created_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('dashboard_id', 'desc')
      .execute();
    if (rows.length === 0) return [];
    const visible = new Map((await this.dashboards.list(principal)).map((d) => [d.id, d]));
    return rows.flatMap((row) => visible.get(row.dashboard_id) ?? []);
  }
}

/** Favourites belong to a person: embeds, keys of data or scripts act for someone but have none. */
function ownerOf(principal: Principal): number {
  authorize(principal, 'favourite.manage');
  return principal.userId;
}
