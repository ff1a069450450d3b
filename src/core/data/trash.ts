import type { Selectable } from 'kysely';
import type { Store } from '../../store/database.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize, can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { conflict, notFound } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import type { TrashBin, TrashItem, TrashKind } from '../trash/bin.ts';
import type { EngineRegistry } from './engine-registry.ts';
import { type DataSourceService, toDataSource } from './sources.ts';
import type { ConnectionsTable, DataSourcesTable } from './tables.ts';

type Row = Selectable<DataSourcesTable> | Selectable<ConnectionsTable>;

/** The action each kind needs, and its table. */
const kinds = {
  data_source: { table: 'data_sources', action: 'source.manage' },
  connection: { table: 'connections', action: 'connection.manage' },
} as const;
type DataKind = keyof typeof kinds;

/**
 * Trashed data sources and connections. They have no owner: a caller with the kind's manage
 * right restores or purges what it deleted, admins everything. A trashed source keeps its storage
 * table and a trashed connection its DuckDB file until purged; a source comes back only once its
 * connection is out of the trash, and a connection is purged only after its sources.
 */
export function createDataTrash(deps: {
  store: Store;
  sources: Pick<DataSourceService, 'storageOf'>;
  registry: EngineRegistry;
  events: DomainEvents;
}): TrashBin {
  const { db } = deps.store;

  const trashed = (principal: Principal, kind: DataKind) => {
    let query = db
      .selectFrom(kinds[kind].table)
      .selectAll()
      .where('organization_id', '=', principal.organizationId)
      .where('deleted_at', 'is not', null);
    if (!can(principal, 'content.admin')) query = query.where('deleted_by', '=', principal.userId);
    return query.orderBy('deleted_at', 'desc').orderBy('id', 'desc');
  };

  async function find(principal: Principal, kind: TrashKind, id: number): Promise<Row> {
    const row =
      kind in kinds
        ? await trashed(principal, kind as DataKind)
            .where('id', '=', id)
            .executeTakeFirst()
        : undefined;
    if (!row) throw notFound(kind.replace('_', ' '), id);
    return row;
  }

  /** Drops what the row holds on disk, then the row; false when trashed sources still need the connection. */
  async function destroy(kind: DataKind, row: Row): Promise<boolean> {
    if (kind === 'connection') {
      const sources = await db
        .selectFrom('data_sources')
        .select('id')
        .where('connection_id', '=', row.id)
        .execute();
      if (sources.length > 0) return false;
      await db.deleteFrom('connections').where('id', '=', row.id).execute();
      await deps.registry.invalidate(row.id);
    } else {
      const source = toDataSource(row as Selectable<DataSourcesTable>);
      if (source.type === 'storage' && source.table)
        await (await deps.sources.storageOf(source)).dropTable(source.table);
      await db.deleteFrom('data_sources').where('id', '=', row.id).execute();
      await deps.events.emit('sourceDeleted', { source });
    }
    await deps.events.emit('objectPurged', { organizationId: row.organization_id, kind, id: row.id });
    return true;
  }

  return {
    kinds: Object.keys(kinds) as DataKind[],
    async list(principal) {
      const items: TrashItem[] = [];
      for (const kind of Object.keys(kinds) as DataKind[]) {
        if (!can(principal, kinds[kind].action)) continue;
        for (const row of await trashed(principal, kind).execute())
          items.push({
            kind,
            id: row.id,
            uuid: row.uuid,
            name: row.name,
            ownerId: null,
            deletedAt: row.deleted_at as string,
            deletedBy: row.deleted_by,
          });
      }
      return items;
    },
    async restore(principal, kind, id) {
      if (kind in kinds) authorize(principal, kinds[kind as DataKind].action);
      const row = await find(principal, kind, id);
      if ('connection_id' in row) {
        const connection = await db
          .selectFrom('connections')
          .select(['name', 'deleted_at'])
          .where('id', '=', row.connection_id)
          .executeTakeFirstOrThrow();
        if (connection.deleted_at !== null)
          throw conflict(`its connection "${connection.name}" is in the trash: restore that first`);
      }
      await db
        .updateTable(kinds[kind as DataKind].table)
        .set({ deleted_at: null, deleted_by: null })
        .where('id', '=', row.id)
        .execute();
      await recordAudit(db, principal, {
        action: `${kind}.restore`,
        target: { type: kind, id: row.id },
        details: { name: row.name },
      });
    },
    async purge(principal, kind, id) {
      if (kind in kinds) authorize(principal, kinds[kind as DataKind].action);
      const row = await find(principal, kind, id);
      if (!(await destroy(kind as DataKind, row)))
        throw conflict(
          `data sources in the trash still use connection "${row.name}": delete them forever first`,
        );
      await recordAudit(db, principal, {
        action: `${kind}.purge`,
        target: { type: kind, id: row.id },
        details: { name: row.name },
      });
    },
    async purgeBefore(cutoff) {
      let purged = 0;
      // Sources first: a connection goes once no trashed source needs it.
      for (const kind of ['data_source', 'connection'] as const) {
        const rows = await db
          .selectFrom(kinds[kind].table)
          .selectAll()
          .where('deleted_at', '<', cutoff.toISOString())
          .execute();
        for (const row of rows) {
          if (!(await destroy(kind, row))) continue;
          await recordAudit(
            db,
            { organizationId: row.organization_id },
            {
              action: `${kind}.purge`,
              target: { type: kind, id: row.id },
              details: { name: row.name, expired: true },
            },
          );
          purged++;
        }
      }
      return purged;
    },
  };
}
