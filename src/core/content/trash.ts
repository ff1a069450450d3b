import { recordAudit } from '../audit/index.ts';
import { authorize, can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { notFound } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import type { TrashBin, TrashItem, TrashKind } from '../trash/bin.ts';
import type { Db } from './repo.ts';

/** The trashed dashboards and charts: their table and owner column. */
const kinds = {
  dashboard: { table: 'dashboards', owner: 'owner_id' },
  chart: { table: 'charts', owner: 'created_by' },
} as const;
type ContentKind = keyof typeof kinds;

/**
 * Trashed dashboards and charts. A caller may restore or purge what it owns or deleted (admins:
 * everything), with `dashboard.edit`. A restored item comes back where it was; one whose folder
 * was deleted meanwhile comes back at the top level (the folder's deletion un-files it).
 */
export class ContentTrash implements TrashBin {
  readonly kinds: readonly TrashKind[] = ['dashboard', 'chart'];

  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
  ) {}

  async list(principal: Principal): Promise<TrashItem[]> {
    authorize(principal, 'dashboard.edit');
    const items: TrashItem[] = [];
    for (const kind of Object.keys(kinds) as ContentKind[]) {
      const rows = await this.trashed(principal, kind).execute();
      for (const row of rows)
        items.push({
          kind,
          id: row.id,
          uuid: row.uuid,
          name: row.name,
          ownerId: row.owner,
          deletedAt: row.deleted_at as string,
          deletedBy: row.deleted_by,
        });
    }
    return items;
  }

  async restore(principal: Principal, kind: TrashKind, id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.find(trx, principal, kind, id);
      await trx
        .updateTable(kinds[kind as ContentKind].table)
        .set({ deleted_at: null, deleted_by: null })
        .where('id', '=', row.id)
        .execute();
      await recordAudit(trx, principal, {
        action: `${kind}.restore`,
        target: { type: kind, id: row.id },
        details: { name: row.name },
      });
    });
  }

  async purge(principal: Principal, kind: TrashKind, id: number): Promise<void> {
    const purged = await this.db.transaction().execute(async (trx) => {
      const row = await this.find(trx, principal, kind, id);
      await trx
        .deleteFrom(kinds[kind as ContentKind].table)
        .where('id', '=', row.id)
        .execute();
      await recordAudit(trx, principal, {
        action: `${kind}.purge`,
        target: { type: kind, id: row.id },
        details: { name: row.name },
      });
      return row.id;
    });
    await this.purged(principal.organizationId, kind as ContentKind, purged);
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    let purged = 0;
    for (const [kind, { table }] of Object.entries(kinds)) {
      const rows = await this.db
        .deleteFrom(table)
        .where('deleted_at', '<', cutoff.toISOString())
        .returning(['id', 'organization_id', 'name'])
        .execute();
      for (const row of rows) {
        await recordAudit(
          this.db,
          { organizationId: row.organization_id },
          {
            action: `${kind}.purge`,
            target: { type: kind, id: row.id },
            details: { name: row.name, expired: true },
          },
        );
        await this.purged(row.organization_id, kind as ContentKind, row.id);
      }
      purged += rows.length;
    }
    return purged;
  }

  private purged(organizationId: number, kind: ContentKind, id: number): Promise<void> {
    return this.events.emit('objectPurged', { organizationId, kind, id });
  }

  /** The caller's trashed rows of one kind (admins: all of the organization), newest first. */
  private trashed(principal: Principal, kind: ContentKind, db: Db = this.db) {
    const { table, owner } = kinds[kind];
    let query = db
      .selectFrom(table)
      .select(['id', 'uuid', 'name', 'deleted_at', 'deleted_by', `${owner} as owner`])
      .where('organization_id', '=', principal.organizationId)
      .where('deleted_at', 'is not', null);
    if (!can(principal, 'content.admin'))
      query = query.where((eb) =>
        eb.or([eb(owner, '=', principal.userId), eb('deleted_by', '=', principal.userId)]),
      );
    return query.orderBy('deleted_at', 'desc').orderBy('id', 'desc');
  }

  private async find(db: Db, principal: Principal, kind: TrashKind, id: number) {
    authorize(principal, 'dashboard.edit');
    const row =
      kind in kinds
        ? await this.trashed(principal, kind as ContentKind, db)
            .where('id', '=', id)
            .executeTakeFirst()
        : undefined;
    if (!row) throw notFound(kind.replace('_', ' '), id);
    return row;
  }
}
