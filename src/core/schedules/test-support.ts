import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore, openSqliteStore, type Store } from '../../store/database.ts';
import { migrateToLatest } from '../../store/migrate.ts';
import { bootstrapDirectory } from '../auth/bootstrap.ts';
import type { Principal, Role } from '../auth/principal.ts';
import { type ContentService, createContentService, type Dashboard } from '../content/index.ts';
import { createDataModule, type DataModule } from '../data/index.ts';
import { createJobService, type JobService } from '../jobs/index.ts';
import { andFilters, createQueryService, type QueryService } from '../query/index.ts';
import { createViewService } from '../views/index.ts';
import { createScheduleService, type ScheduleService, type ScheduleServiceOptions } from './service.ts';
import type { DeliveryRenderer, ScheduleTarget } from './types.ts';

/**
 * A real Rosetta core for schedule tests: a migrated metadata store (SQLite file or the caller's
 * throw-away PostgreSQL database), the embedded DuckDB with a small `sales` source, the query and
 * content services, a dashboard over it, and a renderer that writes real CSV from real queries.
 */

export const ORGANIZATION_ID = 1;

/** An API key of the harness organization's admin (`admin@example.com`). */
export const HARNESS_ADMIN_KEY = 'schedule-harness-admin-key-0123456789abcdef';

export function principal(userId: number, role: Role): Principal {
  return {
    kind: 'session',
    userId,
    userUuid: `user-${userId}`,
    email: `user${userId}@example.test`,
    organizationId: ORGANIZATION_ID,
    projectId: 1,
    role,
    groupIds: [],
    attributes: {},
  };
}

export const admin = principal(1, 'admin');
export const editor = principal(2, 'editor');
export const viewer = principal(3, 'viewer');
const people = new Map([admin, editor, viewer].map((p) => [p.userId, p]));

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** CSV of a target's queries (a dashboard: one block per widget), run with the schedule's filters. */
export function csvRenderer(query: QueryService, content: ContentService): DeliveryRenderer {
  return {
    async render(who, target: ScheduleTarget, format, filters, signal) {
      if (format !== 'csv') throw new Error(`this test renderer only writes CSV, not ${format}`);
      let name = 'query';
      let bodies: Array<Record<string, unknown>>;
      if ('query' in target) bodies = [target.query];
      else if ('chart' in target) {
        const chart = await content.charts.get(who, target.chart);
        name = chart.name;
        bodies = [chart.query as Record<string, unknown>];
      } else {
        const ref = 'dashboard' in target ? target.dashboard : target.widget.dashboard;
        const dashboard = await content.dashboards.get(who, ref);
        const widgets = dashboard.widgets.filter(
          (w) => w.query && ('dashboard' in target || w.id === target.widget.widget),
        );
        name = 'dashboard' in target ? dashboard.name : (widgets[0]?.id ?? 'widget');
        bodies = widgets.map((w) => w.query as Record<string, unknown>);
      }
      const blocks: string[] = [];
      for (const body of bodies) {
        const result = await query.run(who, andFilters(body, filters.rules), { signal, noCache: true });
        const lines = [result.columns.map((c) => csvCell(c.name)).join(',')];
        for (const row of result.rows) lines.push(row.map(csvCell).join(','));
        blocks.push(lines.join('\n'));
      }
      return {
        filename: `${name}.csv`,
        contentType: 'text/csv',
        content: Buffer.from(`${blocks.join('\n\n')}\n`),
      };
    },
  };
}

export interface ScheduleHarness {
  store: Store;
  data: DataModule;
  query: QueryService;
  content: ContentService;
  dashboard: Dashboard;
  /** A schedule service with its own job service, as one server process would have them. */
  process(options?: Partial<ScheduleServiceOptions> & { jobClock?: () => Date }): {
    jobs: JobService;
    schedules: ScheduleService;
  };
  close(): Promise<void>;
}

/** The server secret of the harness; schedule secrets are sealed under keys derived from it. */
export const SERVER_SECRET = 'test-secret-0123456789abcdef';

export const SALES_ROWS = [
  ['FR', 'books', 3],
  ['FR', 'games', 5],
  ['DE', 'books', 7],
  ['US', 'games', 11],
];

export async function openScheduleHarness(
  kind: 'sqlite' | 'postgres',
  postgresUrl = '',
): Promise<ScheduleHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rosetta-schedules-'));
  const store =
    kind === 'postgres' ? openPostgresStore(postgresUrl) : openSqliteStore(join(dataDir, 'meta.sqlite'));
  await migrateToLatest(store);
  // Organization 1 with its default project 1, which the test principals name, and its admin.
  await bootstrapDirectory(store, { adminEmail: 'admin@example.com', bootstrapApiKey: HARNESS_ADMIN_KEY });
  const data = createDataModule({ store, dataDir, secret: SERVER_SECRET });
  await data.connections.ensureEmbedded(ORGANIZATION_ID);
  const source = await data.sources.create(admin, {
    type: 'storage',
    name: 'sales',
    columns: [
      { name: 'country', type: 'string' },
      { name: 'category', type: 'string' },
      { name: 'quantity', type: 'integer' },
    ],
  });
  await data.ingestor.apply(source, {
    mode: 'replace',
    rows: SALES_ROWS,
    columns: ['country', 'category', 'quantity'],
  });
  const query = createQueryService({
    resolveModel: (who, ref, options) => data.models.resolveModel(who, ref, options),
    sourceModel: (who, ref) => data.models.sourceModel(who, ref),
    engineFor: (connectionId) => data.registry.engineFor(connectionId),
    maxRows: 10_000,
    timeoutMs: 10_000,
  });
  const content = createContentService(store);
  const views = createViewService({
    dashboards: content.dashboards,
    charts: content.charts,
    query,
    resolveModel: (who, ref, options) => data.models.resolveModel(who, ref, options),
  });
  const dashboard = await content.dashboards.create(admin, {
    name: 'Sales',
    widgets: [
      {
        id: 'units',
        title: 'Units',
        query: { source: source.uuid, metrics: [{ field: 'quantity', aggregation: 'sum' }] },
        visualization: { type: 'kpi' },
      },
      {
        id: 'by-country',
        title: 'Units by country',
        query: {
          source: source.uuid,
          dimensions: ['country'],
          metrics: [{ field: 'quantity', aggregation: 'sum' }],
          sorts: [{ field: 'country' }],
        },
        visualization: { type: 'bar' },
      },
    ],
  });
  const started: Array<{ jobs: JobService; schedules: ScheduleService }> = [];
  return {
    store,
    data,
    query,
    content,
    dashboard,
    process(options = {}) {
      const { jobClock, ...rest } = options;
      const jobs = createJobService({ store, pollIntervalMs: 50, now: jobClock, onError: () => {} });
      const schedules = createScheduleService({
        store,
        jobs,
        query,
        content,
        views,
        renderer: csvRenderer(query, content),
        attachments: { filesDir: dataDir },
        owners: async (_organizationId, userId) => people.get(userId),
        secret: SERVER_SECRET,
        tickMs: 60_000,
        retryDelayMs: 20,
        httpTimeoutMs: 2000,
        ...rest,
      });
      started.push({ jobs, schedules });
      return { jobs, schedules };
    },
    async close() {
      for (const { jobs, schedules } of started) {
        await schedules.stop();
        await jobs.stop();
      }
      await data.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
