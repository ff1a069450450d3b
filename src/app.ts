import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { createEmbedService, type EmbedService } from './core/auth/embed.ts';
import {
  type AuthService,
  type BootstrapResult,
  bootstrapDirectory,
  createAuthService,
  createUserPrincipalLookup,
} from './core/auth/index.ts';
import { type ContentService, createContentService, createDemoDashboard } from './core/content/index.ts';
import { createDataModule, type DataModule, ensureDemoData } from './core/data/index.ts';
import { registerIngestionJobs } from './core/data/ingest-jobs.ts';
import {
  createDirectoryService,
  type DirectoryService,
  getDefaultOrganization,
} from './core/directory/index.ts';
import { closeRenderPool, createExportService, type ExportService } from './core/exports/index.ts';
import { createJobService, type JobService } from './core/jobs/index.ts';
import { createQueryCache, createQueryService, type QueryService } from './core/query/index.ts';
import { createScheduleService, type ScheduleService } from './core/schedules/index.ts';
import { createScriptService, type ScriptService } from './core/scripts/index.ts';
import { registerSerenyticsDialect } from './http/dialects/serenytics/index.ts';
import { registerNativeApi } from './http/native/index.ts';
import { type App, createServer, registerOpenApi } from './http/server.ts';
import { registerWebApp } from './http/web.ts';
import { openPostgresStore, openSqliteStore, type Store } from './store/database.ts';
import { migrateToLatest } from './store/migrate.ts';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

/** Every core service, built once and handed to each face. */
export interface Services {
  directory: DirectoryService;
  auth: AuthService;
  data: DataModule;
  query: QueryService;
  content: ContentService;
  jobs: JobService;
  embeds: EmbedService;
  scripts: ScriptService;
  exports: ExportService;
  schedules: ScheduleService;
}

export interface Rosetta {
  config: Config;
  store: Store;
  services: Services;
  server: App;
  /** What the first start created; secrets in it are shown once. */
  bootstrap: BootstrapResult;
  close(): Promise<void>;
}

/** The composition root: config → store → engines → services → http. */
export async function createRosetta(config: Config): Promise<Rosetta> {
  const store = config.databaseUrl
    ? openPostgresStore(config.databaseUrl)
    : openSqliteStore(join(config.dataDir, 'rosetta.sqlite'));
  try {
    await migrateToLatest(store);
    const services = buildServices(config, store);
    registerIngestionJobs(services.jobs, services.data);
    const bootstrap = await bootstrapDirectory(store, {
      adminEmail: config.adminEmail,
      adminPassword: config.adminPassword,
      bootstrapApiKey: config.bootstrapApiKey,
    });
    const organization = await getDefaultOrganization(store.db);
    await services.data.connections.ensureEmbedded(organization.id);
    if (bootstrap.created && config.demo) await createDemo(services, config, bootstrap, organization.id);

    const server = createServer({ logLevel: config.logLevel });
    await registerOpenApi(server, VERSION);
    await registerNativeApi(server, services, { version: VERSION, dataDir: config.dataDir });
    await registerSerenyticsDialect(server, services, { maxRows: config.serenyticsMaxRows });
    await registerWebApp(server);
    await server.ready();
    await services.jobs.start();
    await services.schedules.start();
    await services.exports.start();
    return {
      config,
      store,
      services,
      server,
      bootstrap,
      async close() {
        await server.close();
        services.exports.stop();
        await services.schedules.stop();
        await services.jobs.stop();
        await closeRenderPool();
        await services.data.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

function buildServices(config: Config, store: Store): Services {
  const cache = createQueryCache();
  const content = createContentService(store);
  const data = createDataModule({
    store,
    dataDir: config.dataDir,
    secret: config.secret,
    onDataChanged: (_dataSourceId, connectionId) => {
      cache.invalidate({ connectionId });
    },
    onSourceDeleted: (source) =>
      content.folders.forgetItem(source.organizationId, 'data_source', source.uuid),
    sqlTimeoutMs: config.queryTimeoutSeconds * 1000,
  });
  const query = createQueryService({
    resolveModel: (principal, source) => data.models.resolveModel(principal, source),
    engineFor: (connectionId) => data.registry.engineFor(connectionId),
    maxRows: config.maxQueryRows,
    timeoutMs: config.queryTimeoutSeconds * 1000,
    cache,
  });
  const auth = createAuthService({
    store,
    sessionHours: config.sessionHours,
    dataSources: async (organizationId, ids) => {
      const found = await Promise.all(ids.map((id) => data.sources.find(organizationId, id)));
      return found.flatMap((source) => (source ? [source.id] : []));
    },
  });
  const jobs = createJobService({ store });
  const owners = createUserPrincipalLookup(store.db);
  const exports = createExportService({
    query,
    content,
    data: {
      resolveModel: (principal, source) => data.models.resolveModel(principal, source),
      engineFor: (connectionId) => data.registry.engineFor(connectionId),
    },
    jobs,
    owners,
    dataDir: config.dataDir,
    secret: config.secret,
    maxRows: config.maxQueryRows,
    retentionHours: config.exportRetentionHours,
  });
  const schedules = createScheduleService({
    store,
    jobs,
    query,
    content,
    renderer: exports,
    attachments: {
      dataDir: config.dataDir,
      maxBytes: config.emailAttachmentMaxMb * 1024 * 1024,
      retentionHours: config.exportRetentionHours,
    },
    owners,
    mail: { smtpUrl: config.smtpUrl, from: config.smtpFrom, dailyQuota: config.emailDailyQuota },
  });
  return {
    directory: createDirectoryService(store),
    auth,
    data,
    query,
    content,
    jobs,
    embeds: createEmbedService({ store, content, sources: data.sources }),
    scripts: createScriptService({
      store,
      jobs,
      auth,
      timeoutMs: config.scriptTimeoutSeconds * 1000,
      memoryMb: config.scriptMemoryMb,
      onDeleted: (script) => content.folders.forgetItem(script.organizationId, 'script', script.uuid),
      python: config.scriptPython,
    }),
    exports,
    schedules,
  };
}

/** The demo data source and dashboard, created on the first start only: users may delete them. */
async function createDemo(
  services: Services,
  config: Config,
  bootstrap: BootstrapResult,
  organizationId: number,
) {
  const adminKey = config.bootstrapApiKey ?? bootstrap.generatedApiKey;
  if (!adminKey) throw new Error('first start without an admin API key');
  const admin = await services.auth.authenticate(adminKey);
  const source = await ensureDemoData({
    sources: services.data.sources,
    ingestor: services.data.ingestor,
    organizationId,
  });
  await createDemoDashboard(services.content, admin, { dataSourceUuid: source.uuid });
}
