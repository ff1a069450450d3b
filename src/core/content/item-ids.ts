import { nowIso } from '../../store/schema.ts';
import type { DashboardItemKind } from './item-id-tables.ts';
import type { Db } from './repo.ts';

export type { DashboardItemKind } from './item-id-tables.ts';

/** Where an integer item id points: the dashboard and the item's own key in it. */
export interface DashboardItemRef {
  dashboardId: number;
  key: string;
}

/** Keys per statement: far below SQLite's and PostgreSQL's limits on bound parameters. */
const CHUNK = 500;

/**
 * Global integer ids of dashboard widgets and filters (whose own ids are strings unique within
 * their dashboard), for faces that name them by integer. Like `core/ids`, it checks no rights:
 * a face resolves an id, then reads the dashboard through `DashboardService`, which does.
 */
export class DashboardItemIds {
  constructor(private readonly db: Db) {}

  /**
   * The ids of the dashboard's items of `kind`, allocated on first use: insert-or-ignore, then
   * read back, so concurrent first uses (on any node sharing the store) get the same id.
   */
  async idsOf(
    dashboard: { id: number; organizationId: number },
    kind: DashboardItemKind,
    keys: readonly string[],
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const unique = [...new Set(keys)];
    for (let start = 0; start < unique.length; start += CHUNK) {
      const chunk = unique.slice(start, start + CHUNK);
      let rows = await this.stored(dashboard.id, kind, chunk);
      const missing = chunk.filter((key) => !rows.some((row) => row.item_key === key));
      if (missing.length > 0) {
        const createdAt = nowIso();
        await this.db
          .insertInto('dashboard_item_ids')
          .values(
            missing.map((key) => ({
              organization_id: dashboard.organizationId,
              dashboard_id: dashboard.id,
              kind,
              item_key: key,
              created_at: createdAt,
            })),
          )
          .onConflict((conflict) => conflict.doNothing())
          .execute();
        rows = await this.stored(dashboard.id, kind, chunk);
      }
      for (const row of rows) found.set(row.item_key, row.id);
    }
    return found;
  }

  /** The dashboard and key an id names in the organization, or undefined (the caller's 404). */
  async find(
    organizationId: number,
    kind: DashboardItemKind,
    id: number,
  ): Promise<DashboardItemRef | undefined> {
    if (!Number.isSafeInteger(id) || id < 1) return undefined;
    const row = await this.db
      .selectFrom('dashboard_item_ids')
      .select(['dashboard_id', 'item_key'])
      .where('organization_id', '=', organizationId)
      .where('kind', '=', kind)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && { dashboardId: row.dashboard_id, key: row.item_key };
  }

  private stored(dashboardId: number, kind: DashboardItemKind, keys: string[]) {
    return this.db
      .selectFrom('dashboard_item_ids')
      .select(['id', 'item_key'])
      .where('dashboard_id', '=', dashboardId)
      .where('kind', '=', kind)
      .where('item_key', 'in', keys)
      .execute();
  }
}
