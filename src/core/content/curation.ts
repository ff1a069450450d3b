import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { nowIso } from '../../store/schema.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { conflict, notFound, validationError } from '../errors.ts';
import type { ChartService } from './charts.ts';
import type { ContentTagRow, PinnedKind } from './curation-tables.ts';
import type { DashboardService } from './dashboards.ts';
import type { FolderService } from './folders.ts';
import type { Db } from './repo.ts';
import type { ChartSummary, DashboardSummary, Folder } from './types.ts';

export type { PinnedKind } from './curation-tables.ts';

export type PinnedItem =
  | { kind: 'chart'; position: number; item: ChartSummary }
  | { kind: 'dashboard'; position: number; item: DashboardSummary }
  | { kind: 'folder'; position: number; item: Folder };

export interface PinRef {
  kind: PinnedKind;
  uuid: string;
}

type Catalogue = {
  charts: Pick<ChartService, 'lookup' | 'list'>;
  dashboards: Pick<DashboardService, 'lookup' | 'list'>;
  folders: Pick<FolderService, 'get' | 'list'>;
};

/**
 * A project's pinned items: one ordered list of its charts, dashboards and folders. What one sees
 * of it is what one may see of the items; pinning and ordering is editing the project's content.
 */
export class PinService {
  constructor(
    private readonly db: Db,
    private readonly content: Catalogue,
  ) {}

  /** The visible pinned items of the project, in their order. */
  async list(principal: Principal, projectId: number): Promise<PinnedItem[]> {
    authorize(principal, 'dashboard.view');
    const rows = await this.rows(principal, projectId);
    if (rows.length === 0) return [];
    const [charts, dashboards, folders] = await Promise.all([
      this.content.charts.list(principal, { projectId }),
      this.content.dashboards.list(principal, { projectId }),
      this.content.folders.list(principal, { kind: 'dashboard', projectId }),
    ]);
    const byId = <T extends { id: number }>(items: T[]) => new Map(items.map((item) => [item.id, item]));
    const visible = { chart: byId(charts), dashboard: byId(dashboards), folder: byId(folders) };
    return rows.flatMap((row): PinnedItem[] => {
      const item = visible[row.item_kind].get(row.item_id);
      return item ? [{ kind: row.item_kind, position: row.position, item } as PinnedItem] : [];
    });
  }

  /** Pins an item of the project at the end of the list, or unpins it; answers whether it is pinned now. */
  async toggle(principal: Principal, projectId: number, ref: PinRef): Promise<boolean> {
    authorize(principal, 'dashboard.edit');
    const id = await this.itemId(principal, projectId, ref);
    const removed = await this.db
      .deleteFrom('content_pins')
      .where('project_id', '=', projectId)
      .where('item_kind', '=', ref.kind)
      .where('item_id', '=', id)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) > 0) return false;
    const last = await this.db
      .selectFrom('content_pins')
      .select((eb) => eb.fn.max('position').as('position'))
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    await this.db
      .insertInto('content_pins')
      .values({
        organization_id: principal.organizationId,
        project_id: projectId,
        item_kind: ref.kind,
        item_id: id,
        position: (last?.position ?? -1) + 1,
        created_at: nowIso(),
      })
      .execute();
    return true;
  }

  /** Whether an item is pinned, and where (undefined: not pinned). */
  async positionOf(principal: Principal, projectId: number, ref: PinRef): Promise<number | undefined> {
    authorize(principal, 'dashboard.view');
    const id = await this.itemId(principal, projectId, ref);
    const row = await this.db
      .selectFrom('content_pins')
      .select('position')
      .where('project_id', '=', projectId)
      .where('item_kind', '=', ref.kind)
      .where('item_id', '=', id)
      .executeTakeFirst();
    return row?.position;
  }

  /** Puts the named pinned items first, in the order given; the others keep their order after them. */
  async reorder(principal: Principal, projectId: number, order: PinRef[], field = 'order'): Promise<void> {
    authorize(principal, 'dashboard.edit');
    const rows = await this.rows(principal, projectId);
    const named: Array<{ kind: PinnedKind; id: number }> = [];
    for (const [i, ref] of order.entries()) {
      const id = await this.itemId(principal, projectId, ref, `${field}[${i}]`);
      if (!rows.some((row) => row.item_kind === ref.kind && row.item_id === id))
        throw validationError(`${field}[${i}]`, `${ref.kind} ${JSON.stringify(ref.uuid)} is not pinned`);
      named.push({ kind: ref.kind, id });
    }
    const isNamed = (row: { item_kind: PinnedKind; item_id: number }) =>
      named.some((entry) => entry.kind === row.item_kind && entry.id === row.item_id);
    const ordered = [
      ...named,
      ...rows.filter((row) => !isNamed(row)).map((row) => ({ kind: row.item_kind, id: row.item_id })),
    ];
    await this.db.transaction().execute(async (trx) => {
      for (const [position, entry] of ordered.entries())
        await trx
          .updateTable('content_pins')
          .set({ position })
          .where('project_id', '=', projectId)
          .where('item_kind', '=', entry.kind)
          .where('item_id', '=', entry.id)
          .execute();
    });
  }

  private rows(principal: Principal, projectId: number) {
    return this.db
      .selectFrom('content_pins')
      .select(['item_kind', 'item_id', 'position'])
      .where('organization_id', '=', principal.organizationId)
      .where('project_id', '=', projectId)
      .orderBy('position')
      .execute();
  }

  /** The id of a visible item of the project; another project's is not found here. */
  private async itemId(
    principal: Principal,
    projectId: number,
    ref: PinRef,
    field?: string,
  ): Promise<number> {
    const item =
      ref.kind === 'chart'
        ? await this.content.charts.lookup(principal, ref.uuid)
        : ref.kind === 'dashboard'
          ? await this.content.dashboards.lookup(principal, ref.uuid)
          : await this.content.folders.get(principal, ref.uuid);
    const folderOfAnotherKind = ref.kind === 'folder' && (item as Folder).kind !== 'dashboard';
    if (item.projectId !== projectId || folderOfAnotherKind) {
      if (field) throw validationError(field, `${ref.kind} ${JSON.stringify(ref.uuid)} not found`);
      throw notFound(ref.kind, ref.uuid);
    }
    return item.id;
  }
}

export interface Tag {
  id: number;
  uuid: string;
  projectId: number;
  name: string;
  color: string;
  createdBy: number;
  createdAt: string;
}

export interface TagInput {
  name: string;
  color: string;
}

const tagOf = (row: Selectable<ContentTagRow>): Tag => ({
  id: row.id,
  uuid: row.uuid,
  projectId: row.project_id,
  name: row.name,
  color: row.color,
  createdBy: row.created_by,
  createdAt: row.created_at,
});

function checkedText(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text.length === 0) throw validationError(field, 'must not be empty');
  if (text.length > 255) throw validationError(field, 'must be at most 255 characters');
  return text;
}

/** A project's tags: labels with a colour, unique by name in the project; editors manage them. */
export class TagService {
  constructor(private readonly db: Db) {}

  async list(principal: Principal, projectId: number): Promise<Tag[]> {
    authorize(principal, 'dashboard.view');
    const rows = await this.db
      .selectFrom('content_tags')
      .selectAll()
      .where('organization_id', '=', principal.organizationId)
      .where('project_id', '=', projectId)
      .orderBy('name')
      .execute();
    return rows.map(tagOf);
  }

  async create(principal: Principal, projectId: number, input: TagInput): Promise<Tag> {
    authorize(principal, 'dashboard.edit');
    const name = checkedText('name', input.name) as string;
    const color = checkedText('color', input.color) as string;
    await this.refuseTaken(principal, projectId, name);
    const row = await this.db
      .insertInto('content_tags')
      .values({
        uuid: randomUUID(),
        organization_id: principal.organizationId,
        project_id: projectId,
        name,
        color,
        created_by: principal.userId,
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return tagOf(row);
  }

  async update(
    principal: Principal,
    projectId: number,
    uuid: string,
    patch: Partial<TagInput>,
  ): Promise<Tag> {
    authorize(principal, 'dashboard.edit');
    const tag = await this.get(principal, projectId, uuid);
    const name = checkedText('name', patch.name);
    const color = checkedText('color', patch.color);
    if (name !== undefined && name !== tag.name) await this.refuseTaken(principal, projectId, name);
    const row = await this.db
      .updateTable('content_tags')
      .set({ ...(name !== undefined && { name }), ...(color !== undefined && { color }) })
      .where('id', '=', tag.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return tagOf(row);
  }

  async delete(principal: Principal, projectId: number, uuid: string): Promise<void> {
    authorize(principal, 'dashboard.edit');
    const tag = await this.get(principal, projectId, uuid);
    await this.db.deleteFrom('content_tags').where('id', '=', tag.id).execute();
  }

  private async get(principal: Principal, projectId: number, uuid: string): Promise<Tag> {
    const row = await this.db
      .selectFrom('content_tags')
      .selectAll()
      .where('organization_id', '=', principal.organizationId)
      .where('project_id', '=', projectId)
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    if (!row) throw notFound('tag', uuid);
    return tagOf(row);
  }

  private async refuseTaken(principal: Principal, projectId: number, name: string): Promise<void> {
    const taken = await this.db
      .selectFrom('content_tags')
      .select('id')
      .where('organization_id', '=', principal.organizationId)
      .where('project_id', '=', projectId)
      .where('name', '=', name)
      .executeTakeFirst();
    if (taken) throw conflict(`a tag named ${JSON.stringify(name)} exists in the project`, 'name');
  }
}
