import { randomUUID } from 'node:crypto';
import { nowIso } from '../../store/schema.ts';
import { recordAudit } from '../audit/index.ts';
import { authorize } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { projectOf } from '../directory/index.ts';
import { conflict, forbidden, notFound, validationError } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import type { ItemFiling } from '../filing.ts';
import { label, nullableText, oneOf, record } from '../input.ts';
import { detachChartsIn } from './charts-tiles.ts';
import {
  countDashboardsIn,
  deleteFolders,
  type FolderRecord,
  insertFolder,
  loadFolders,
  loadItemFolders,
  setItemFolder,
  updateFolder,
} from './folder-repo.ts';
import { accessList, contentRef } from './input.ts';
import {
  canDeleteRecursively,
  canEditFolder,
  canManageFolderAccess,
  canViewFolder,
  type FolderIndex,
  governingFolder,
} from './permissions.ts';
import { checkFolderProject, projectOfFiled } from './placement.ts';
import type { Db } from './repo.ts';
import {
  type AccessEntry,
  type ContentRef,
  type Folder,
  type FolderItemKind,
  type FolderKind,
  type FolderNode,
  folderKinds,
} from './types.ts';

export interface FolderInput {
  name: string;
  description?: string | null;
  /** Default: the parent's kind, or `dashboard` at the top level. */
  kind?: FolderKind;
  /** Parent folder id or uuid; absent or null = top level. */
  parentId?: ContentRef | null;
  /** Default: the parent's project, or the caller's default project at the top level. */
  projectId?: number;
  access?: AccessEntry[];
}

export type FolderPatch = Partial<Omit<FolderInput, 'access' | 'kind'>>;

/** Which folders a list shows: of one kind, of one project. */
export interface FolderFilter {
  kind?: FolderKind;
  projectId?: number;
}

/** The folders of one organization, indexed for access checks and rendering. */
export class FolderCatalog {
  readonly index: FolderIndex;
  private readonly byId: Map<number, FolderRecord>;

  constructor(
    readonly organizationId: number,
    readonly records: FolderRecord[],
  ) {
    this.byId = new Map(records.map((record) => [record.id, record]));
    this.index = this.byId;
  }

  static async load(db: Db, organizationId: number): Promise<FolderCatalog> {
    return new FolderCatalog(organizationId, await loadFolders(db, organizationId));
  }

  find(ref: ContentRef): FolderRecord | undefined {
    return typeof ref === 'number' ? this.byId.get(ref) : this.records.find((record) => record.uuid === ref);
  }

  uuidOf(id: number | null): string | null {
    return id === null ? null : (this.byId.get(id)?.uuid ?? null);
  }

  /** The folder and all folders below it. */
  subtree(id: number): number[] {
    const ids = new Set([id]);
    for (const current of ids) {
      for (const record of this.records) if (record.parentId === current) ids.add(record.id);
    }
    return [...ids];
  }

  render(record: FolderRecord): Folder {
    return {
      id: record.id,
      uuid: record.uuid,
      organizationId: this.organizationId,
      projectId: record.projectId,
      kind: record.kind,
      parentId: record.parentId,
      parentUuid: this.uuidOf(record.parentId),
      name: record.name,
      description: record.description,
      createdBy: record.createdBy,
      access: record.access,
      restricted: governingFolder(this.index, record.id) !== undefined,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  /**
   * A folder named in a request body (`parentId`, `folderId`): unknown and invisible look the
   * same. It must hold `kind` (dashboards unless said otherwise; `any` for a folder's parent,
   * whose kind the caller checks).
   */
  target(
    principal: Principal,
    field: string,
    value: unknown,
    kind: FolderKind | 'any' = 'dashboard',
  ): FolderRecord | null {
    if (value === null || value === undefined) return null;
    const ref = contentRef(field, value);
    const folder = this.find(ref);
    if (!folder || !canViewFolder(principal, this.index, folder.id)) {
      throw validationError(field, `folder ${JSON.stringify(ref)} not found`);
    }
    if (kind !== 'any' && folder.kind !== kind)
      throw validationError(field, `folder ${JSON.stringify(ref)} holds ${folder.kind}s, not ${kind}s`);
    return folder;
  }
}

export class FolderService implements ItemFiling {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
  ) {}

  /** Every folder the principal can see (of one kind, when given), parents before children. */
  async list(principal: Principal, options: FolderFilter = {}): Promise<Folder[]> {
    authorize(principal, 'dashboard.view');
    const catalog = await FolderCatalog.load(this.db, principal.organizationId);
    return catalog.records
      .filter((record) => options.kind === undefined || record.kind === options.kind)
      .filter((record) => options.projectId === undefined || record.projectId === options.projectId)
      .filter((record) => canViewFolder(principal, catalog.index, record.id))
      .map((record) => catalog.render(record));
  }

  /** The visible folders as a tree; a folder whose parent the principal cannot see is a root. */
  async tree(principal: Principal, options: FolderFilter = {}): Promise<FolderNode[]> {
    authorize(principal, 'dashboard.view');
    const nodes = new Map(
      (await this.list(principal, options)).map((folder) => [
        folder.id,
        { ...folder, children: [] as FolderNode[] },
      ]),
    );
    const roots: FolderNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }

  async get(principal: Principal, ref: ContentRef): Promise<Folder> {
    const catalog = await FolderCatalog.load(this.db, principal.organizationId);
    return catalog.render(this.visible(principal, catalog, ref));
  }

  async create(principal: Principal, input: FolderInput): Promise<Folder> {
    authorize(principal, 'dashboard.edit');
    const body = record('', input, ['name', 'description', 'kind', 'parentId', 'projectId', 'access']);
    const name = label('name', body.name);
    const description = nullableText('description', body.description, 10_000);
    const access = body.access === undefined ? [] : accessList('access', body.access);
    const catalog = await FolderCatalog.load(this.db, principal.organizationId);
    const parent = catalog.target(principal, 'parentId', body.parentId, 'any');
    const kind =
      body.kind === undefined ? (parent?.kind ?? 'dashboard') : oneOf('kind', body.kind, folderKinds);
    if (parent && parent.kind !== kind)
      throw validationError('parentId', `a ${kind} folder cannot be inside a folder of ${parent.kind}s`);
    const projectId = await projectOfFiled(this.db, principal, body.projectId, parent, 'parentId');
    if (!canEditFolder(principal, catalog.index, parent?.id ?? null, projectId))
      throw forbidden('create a folder here');
    const now = nowIso();
    const id = await insertFolder(this.db, {
      uuid: randomUUID(),
      organization_id: principal.organizationId,
      project_id: projectId,
      kind,
      parent_id: parent?.id ?? null,
      name,
      description,
      access: JSON.stringify(access),
      created_by: principal.userId,
      created_at: now,
      updated_at: now,
    });
    return this.get(principal, id);
  }

  /**
   * Renames, describes or moves a folder: to another parent (`parentId`), or to another project
   * (`projectId`). A folder changes project only while it holds no subfolder, dashboard or chart
   * (in the trash included), so nothing is ever left in a folder of another project; it goes to
   * the new project's top level unless `parentId` names a folder there.
   */
  async update(principal: Principal, ref: ContentRef, patch: FolderPatch): Promise<Folder> {
    authorize(principal, 'dashboard.edit');
    const body = record('', patch, ['name', 'description', 'parentId', 'projectId']);
    const changes: Parameters<typeof updateFolder>[3] = { updated_at: nowIso() };
    if (body.name !== undefined) changes.name = label('name', body.name);
    if (body.description !== undefined)
      changes.description = nullableText('description', body.description, 10_000);
    const catalog = await FolderCatalog.load(this.db, principal.organizationId);
    const folder = this.visible(principal, catalog, ref);
    if (!canEditFolder(principal, catalog.index, folder.id)) throw forbidden('change this folder');
    const projectId =
      body.projectId === undefined
        ? folder.projectId
        : await projectOf(this.db, principal.organizationId, body.projectId);
    if (projectId !== folder.projectId) {
      const holds =
        catalog.subtree(folder.id).length > 1 ||
        (await countDashboardsIn(this.db, principal.organizationId, [folder.id], { trashed: true })) > 0;
      if (holds)
        throw conflict(
          'a folder moves to another project only when empty: move its subfolders, dashboards and charts (those in the trash too) first',
          'projectId',
        );
      changes.project_id = projectId;
    }
    const parentRef = body.parentId === undefined && changes.project_id !== undefined ? null : body.parentId;
    if (parentRef !== undefined) {
      const parent = catalog.target(principal, 'parentId', parentRef, folder.kind);
      if (parent && catalog.subtree(folder.id).includes(parent.id)) {
        throw validationError('parentId', 'a folder cannot move into itself or one of its subfolders');
      }
      checkFolderProject(parent, projectId, 'parentId');
      if (!canEditFolder(principal, catalog.index, parent?.id ?? null))
        throw forbidden('move a folder there');
      changes.parent_id = parent?.id ?? null;
    }
    await updateFolder(this.db, principal.organizationId, folder.id, changes);
    return this.get(principal, folder.id);
  }

  /** Replaces the folder's own access list; an empty list makes it inherit again. */
  async setAccess(principal: Principal, ref: ContentRef, access: AccessEntry[]): Promise<Folder> {
    authorize(principal, 'dashboard.edit');
    const entries = accessList('access', access);
    const catalog = await FolderCatalog.load(this.db, principal.organizationId);
    const folder = this.visible(principal, catalog, ref);
    if (!canManageFolderAccess(principal, catalog.index, folder))
      throw forbidden("change this folder's access");
    await updateFolder(this.db, principal.organizationId, folder.id, {
      access: JSON.stringify(entries),
      updated_at: nowIso(),
    });
    await recordAudit(this.db, principal, {
      action: 'folder.access',
      target: { type: 'folder', id: folder.id },
      details: { before: folder.access, after: entries },
    });
    return this.get(principal, folder.id);
  }

  /**
   * Deletes an empty folder; `recursive` (admins) also deletes its subfolders and moves its
   * dashboards and charts to the trash (tiles showing those charts become plain widgets).
   * Data sources and scripts filed in it are not content of the folder: they go back to the top level.
   */
  async delete(principal: Principal, ref: ContentRef, options: { recursive?: boolean } = {}): Promise<void> {
    authorize(principal, 'dashboard.edit');
    const deleted = await this.db.transaction().execute(async (trx) => {
      const catalog = await FolderCatalog.load(trx, principal.organizationId);
      const folder = this.visible(principal, catalog, ref);
      if (!canEditFolder(principal, catalog.index, folder.id)) throw forbidden('delete this folder');
      const ids = catalog.subtree(folder.id);
      if (options.recursive && !canDeleteRecursively(principal))
        throw forbidden('delete a folder recursively');
      if (
        !options.recursive &&
        (ids.length > 1 || (await countDashboardsIn(trx, principal.organizationId, ids)) > 0)
      ) {
        throw conflict('the folder is not empty: delete its content first, or delete recursively (admins)');
      }
      await detachChartsIn(trx, principal, ids);
      await deleteFolders(trx, principal.organizationId, ids, { by: principal.userId, at: nowIso() });
      await recordAudit(trx, principal, {
        action: 'folder.delete',
        target: { type: 'folder', id: folder.id },
        details: { folders: ids.length, recursive: Boolean(options.recursive) },
      });
      return ids;
    });
    for (const id of deleted)
      await this.events.emit('objectPurged', {
        organizationId: principal.organizationId,
        kind: 'folder',
        id,
      });
  }

  /** Item uuid → uuid of its folder, for the items of `kind` filed in folders the principal sees. */
  async placements(principal: Principal, kind: FolderItemKind): Promise<Map<string, string>> {
    const catalog = await FolderCatalog.load(this.db, principal.organizationId);
    const filed = await loadItemFolders(this.db, principal.organizationId, kind);
    const visible = new Map<string, string>();
    for (const [item, folderId] of filed) {
      if (canViewFolder(principal, catalog.index, folderId)) visible.set(item, catalog.uuidOf(folderId)!);
    }
    return visible;
  }

  /** Forgets where a deleted data source or script was filed (its module calls this on delete). */
  async forgetItem(organizationId: number, kind: FolderItemKind, uuid: string): Promise<void> {
    await setItemFolder(this.db, organizationId, kind, uuid, null, nowIso());
  }

  /**
   * Files a data source or script (by uuid) in a folder of its kind, or at the top level (null).
   * Needs edit access to the folder it leaves and the one it enters, as moving a dashboard does.
   * The right to change the item is its own module's rule: `changeItem` (told whether the item
   * moves) runs that module's update after the folder checks and before the item is filed, so a
   * refused move or a refused change stores neither. The data and scripts services call this
   * from their own `update` (through the `ItemFiling` port), never a face.
   */
  async place<T>(
    principal: Principal,
    item: { kind: FolderItemKind; uuid: string; field: string },
    folderRef: ContentRef | null,
    changeItem: (moves: boolean) => Promise<T>,
  ): Promise<T> {
    const catalog = await FolderCatalog.load(this.db, principal.organizationId);
    const target = catalog.target(principal, item.field, folderRef, item.kind)?.id ?? null;
    const filed = await loadItemFolders(this.db, principal.organizationId, item.kind);
    const current = filed.get(item.uuid) ?? null;
    if (current === target) return changeItem(false);
    if (!canEditFolder(principal, catalog.index, current) || !canEditFolder(principal, catalog.index, target))
      throw forbidden(`move this ${item.kind.replace('_', ' ')} there`);
    const changed = await changeItem(true);
    await setItemFolder(this.db, principal.organizationId, item.kind, item.uuid, target, nowIso());
    return changed;
  }

  private visible(principal: Principal, catalog: FolderCatalog, ref: ContentRef): FolderRecord {
    authorize(principal, 'dashboard.view');
    const folder = catalog.find(contentRef('id', ref));
    if (!folder || !canViewFolder(principal, catalog.index, folder.id)) throw notFound('folder', ref);
    return folder;
  }
}
