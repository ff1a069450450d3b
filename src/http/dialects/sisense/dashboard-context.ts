import type { Principal } from '../../../core/auth/index.ts';
import type { Dashboard, DashboardContent } from '../../../core/content/index.ts';
import { notFound } from '../../../core/errors.ts';
import type { Services } from '../../../services.ts';
import { hex24Codec } from '../../kit/index.ts';
import { type Elasticube, listElasticubes } from './elasticubes.ts';

/** What the dashboards, widgets, shares, folders and reporting routes use of the core. */
export interface DashboardPorts
  extends Pick<
    Services,
    'content' | 'data' | 'directory' | 'exports' | 'externalIds' | 'jobs' | 'schedules'
  > {
  /** The face's row cap (`config.faces.sisense.maxRows`), which widget JAQL is planned with. */
  maxRows: number;
}

/**
 * What the face keeps of a Sisense dashboard that Rosetta's content does not hold, under
 * `faceSettings.sisense`: the dashboard's data source, its other Sisense keys (filters, style,
 * layout…) for the round trip, each widget's own Sisense JSON by widget id, the version the
 * owner last published (publish / restore), and the version an import overwrote (undo_Import).
 */
export interface SisenseDashboardSettings {
  datasource?: Record<string, unknown>;
  display?: Record<string, unknown>;
  widgets?: Record<string, Record<string, unknown>>;
  publishedVersion?: number;
  importedOverVersion?: number;
}

export const settingsOf = (content: Pick<DashboardContent, 'faceSettings'>): SisenseDashboardSettings =>
  (content.faceSettings?.sisense ?? {}) as SisenseDashboardSettings;

/** The `faceSettings` patch that stores `settings` as the face's entry. */
export const faceSettingsOf = (settings: SisenseDashboardSettings) => ({
  sisense: settings as Record<string, unknown>,
});

/**
 * One request's view of Sisense content: the caller, the oid codecs of every kind the routes
 * name, and the cubes the caller sees (read once, on first use).
 */
export class SisenseContent {
  readonly dashboards;
  readonly folders;
  readonly users;
  readonly groups;
  readonly widgets;
  private cubeList?: Promise<Elasticube[]>;

  constructor(
    readonly ports: DashboardPorts,
    readonly principal: Principal,
  ) {
    this.dashboards = hex24Codec(ports.externalIds, 'dashboard');
    this.folders = hex24Codec(ports.externalIds, 'folder');
    this.users = hex24Codec(ports.externalIds, 'user');
    this.groups = hex24Codec(ports.externalIds, 'group');
    this.widgets = hex24Codec(ports.externalIds, 'widget');
  }

  get organizationId(): number {
    return this.principal.organizationId;
  }

  cubes(): Promise<Elasticube[]> {
    this.cubeList ??= listElasticubes(this.ports, this.principal);
    return this.cubeList;
  }

  /** The dashboard id an oid names (400 naming `field` when malformed, 404 when it names none). */
  async dashboardId(oid: unknown, field = 'id'): Promise<number> {
    const id = await this.dashboards.decode(this.organizationId, oid, field);
    if (id === undefined) throw notFound('dashboard', String(oid));
    return Number(id);
  }

  /** The dashboard an oid names, as the caller may see it. */
  async dashboard(oid: unknown, field = 'id'): Promise<Dashboard> {
    return this.ports.content.dashboards.lookup(this.principal, await this.dashboardId(oid, field));
  }

  async folderId(oid: unknown, field: string): Promise<number> {
    const id = await this.folders.decode(this.organizationId, oid, field);
    if (id === undefined) throw notFound('folder', String(oid));
    return Number(id);
  }

  oidOf(codec: 'dashboards' | 'folders' | 'users' | 'groups', id: number): Promise<string> {
    return this[codec].encode({ organizationId: this.organizationId, id, uuid: '' });
  }

  /** The oids of a dashboard's widgets by widget id (integer item ids allocated on first use). */
  async widgetOids(dashboard: Dashboard): Promise<Map<string, string>> {
    const keys = dashboard.widgets.map((widget) => widget.id);
    const itemIds = await this.ports.content.itemIds.idsOf(dashboard, 'widget', keys);
    const oids = await this.widgets.encodeAll(
      keys.map((key) => ({ organizationId: this.organizationId, id: itemIds.get(key) as number, uuid: key })),
    );
    return new Map(keys.map((key, i) => [key, oids[i]]));
  }

  /** The widget id (within `dashboard`) a widget oid names; 404 when it is not one of its widgets. */
  async widgetKey(dashboard: Dashboard, oid: unknown, field = 'widgetId'): Promise<string> {
    const itemId = await this.widgets.decode(this.organizationId, oid, field);
    const ref =
      itemId === undefined
        ? undefined
        : await this.ports.content.itemIds.find(this.organizationId, 'widget', Number(itemId));
    if (!ref || ref.dashboardId !== dashboard.id || !dashboard.widgets.some((w) => w.id === ref.key))
      throw notFound('widget', String(oid));
    return ref.key;
  }
}
