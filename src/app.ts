import { readFileSync } from 'node:fs';
import type { Config } from './config.ts';
import { createAuditService } from './core/audit/index.ts';
import {
  type BootstrapResult,
  bootstrapDirectory,
  createAccountService,
  createAuthService,
  createEmbedService,
  createInvitationJobs,
  createUserPrincipalLookup,
  type Principal,
} from './core/auth/index.ts';
import { type ClusterBus, createClusterRelay, openClusterBus } from './core/cluster/index.ts';
import {
  createContentChecks,
  createContentJobs,
  createContentService,
  createDemoDashboard,
} from './core/content/index.ts';
import {
  createDataModule,
  createModelDeploys,
  createProjectCompiles,
  ensureDemoData,
} from './core/data/index.ts';
import { registerIngestionJobs } from './core/data/ingest-jobs.ts';
import {
  createDirectoryService,
  getDefaultOrganization,
  listAttributeDefinitions,
} from './core/directory/index.ts';
import { createDomainEvents } from './core/events.ts';
import { closeRenderPool, createExportService } from './core/exports/index.ts';
import { sharedFilesOf } from './core/files/index.ts';
import { createExternalIds } from './core/ids/index.ts';
import { createJobService } from './core/jobs/index.ts';
import type { OperationsObserver } from './core/observer.ts';
import {
  createCacheBusts,
  createQueryCache,
  createQueryJobService,
  createQueryService,
} from './core/query/index.ts';
import { createScheduleService, moveDashboardSchedules } from './core/schedules/index.ts';
import { createScriptService } from './core/scripts/index.ts';
import { createTrashService } from './core/trash/index.ts';
import { createDashboardPreloads, createViewService } from './core/views/index.ts';
import { protectDataDir } from './data-dir.ts';
import { DBT_MANIFESTS_FORMAT, type DbtManifestsPlan, deployManifestsPlan } from './formats/dbt/index.ts';
import { registerHolisticsDialect } from './http/dialects/holistics/index.ts';
import { registerLightdashDialect } from './http/dialects/lightdash/index.ts';
import { registerSerenyticsDialect } from './http/dialects/serenytics/index.ts';
import { registerSisenseDialect } from './http/dialects/sisense/index.ts';
import { registerCredentialLimits } from './http/kit/rate-limit.ts';
import { registerSecurityHeaders } from './http/kit/security-headers.ts';
import { createMetrics } from './http/metrics.ts';
import { registerNativeApi } from './http/native/index.ts';
import { registerOperations } from './http/operations.ts';
import { type App, createServer, registerOpenApi } from './http/server.ts';
import { registerWebApp } from './http/web.ts';
import type { Services } from './services.ts';
import { openConfiguredStore } from './store/configured.ts';
import { pingStore, type Store } from './store/database.ts';
import { migrateToLatest } from './store/migrate.ts';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

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
  protectDataDir(config.dataDir);
  const store = openConfiguredStore(config);
  let bus: ClusterBus | undefined;
  try {
    await migrateToLatest(store);
    bus = await openClusterBus(config);
    const metrics = createMetrics();
    const services = buildServices(config, store, bus, metrics.observer);
    registerIngestionJobs(services.jobs, services.data);
    const bootstrap = await bootstrapDirectory(store, {
      adminEmail: config.adminEmail,
      adminPassword: config.adminPassword,
      bootstrapApiKey: config.bootstrapApiKey,
    });
    const organization = await getDefaultOrganization(store.db);
    const storage = await services.data.connections.ensureEmbedded(organization.id);
    if (bootstrap.created && config.demo) await createDemo(services, config, bootstrap, organization.id);

    const server = createServer({ logLevel: config.logLevel, trustProxy: config.trustProxy });
    const operations = registerOperations(server, {
      metrics,
      metricsToken: config.metricsToken,
      dueJobs: services.jobs.dueCounts,
      checks: {
        metadata: () => pingStore(store),
        warehouse: async () => (await services.data.registry.engineFor(storage.id)).ping(),
      },
    });
    registerSecurityHeaders(server, { embedOrigins: config.embedOrigins });
    await registerCredentialLimits(server, config);
    await registerOpenApi(server, VERSION);
    await registerNativeApi(server, services, {
      version: VERSION,
      filesDir: config.filesDir,
      maxUploadBytes: config.uploadMaxMb * 1024 * 1024,
      requestsPerMinute: config.faces.native.requestsPerMinute,
    });
    await registerSerenyticsDialect(server, services, {
      ...config.faces.serenytics,
      uploads: { filesDir: config.filesDir, maxBytes: config.uploadMaxMb * 1024 * 1024 },
    });
    await registerLightdashDialect(server, services, config.faces.lightdash);
    await registerHolisticsDialect(server, services, config.faces.holistics);
    await registerSisenseDialect(server, services, { ...config.faces.sisense, version: VERSION });
    await registerWebApp(server);
    await server.ready();
    await services.jobs.start();
    await services.schedules.start();
    await services.exports.start();
    await services.queryJobs.start();
    await services.trash.start();
    return {
      config,
      store,
      services,
      server,
      bootstrap,
      // Draining first: readiness turns 503, running jobs get their grace, requests in flight end.
      async close() {
        operations.markStopping();
        await services.jobs.stop({ graceMs: config.shutdownGraceSeconds * 1000 });
        await services.schedules.stop();
        await server.close();
        services.exports.stop();
        services.queryJobs.stop();
        services.trash.stop();
        await closeRenderPool();
        await bus?.close();
        await services.data.close();
        await store.close();
      },
    };
  } catch (error) {
    await bus?.close().catch(() => {});
    await store.close().catch(() => {});
    throw error;
  }
}

function buildServices(
  config: Config,
  store: Store,
  bus: ClusterBus,
  observer: OperationsObserver,
): Services {
  const cache = createQueryCache();
  // The reactions to core changes, subscribed once below: whichever face changed something, they follow.
  const events = createDomainEvents();
  // Deleting a dashboard stops its embeds (late-bound: embeds need content, content calls back);
  // the sources a dashboard reads are the data module's (late-bound the same way).
  const content = createContentService(store, {
    onDashboardDeleted: (dashboardId) => embeds.revokeAll({ dashboardId }, 'the dashboard was deleted'),
    findSource: (principal, ref) => data.sources.findVisible(principal, ref),
    onDashboardMoved: moveDashboardSchedules,
    events,
  });
  events.on('dataChanged', ({ connectionId }) => {
    cache.invalidate({ connectionId });
  });
  events.on('connectionChanged', ({ connectionId }) => {
    cache.invalidate({ connectionId });
  });
  events.on('sourceDeleted', ({ source }) =>
    content.folders.forgetItem(source.organizationId, 'data_source', source.uuid),
  );
  const externalIds = createExternalIds(store);
  // Exports, uploads, attachments, the outbox and query results: readable through every node.
  const files = { filesDir: config.filesDir, sharedFiles: sharedFilesOf(config.filesStore, store) };
  events.on('objectPurged', ({ organizationId, kind, id }) => externalIds.forget(organizationId, kind, id));
  const data = createDataModule({
    store,
    dataDir: config.dataDir,
    ...files,
    secret: config.secret,
    events,
    sqlTimeoutMs: config.queryTimeoutSeconds * 1000,
    maxUploadBytes: config.uploadMaxMb * 1024 * 1024,
    maxQueryRows: config.maxQueryRows,
    filing: content.folders,
    sharedStorage: config.sharedStorage,
    observer,
  });
  const resolveModel = (principal: Principal, source: string, options?: { granted?: boolean }) =>
    data.models.resolveModel(principal, source, options);
  const query = createQueryService({
    resolveModel,
    sourceModel: (principal, ref) => data.models.sourceModel(principal, ref),
    engineFor: (connectionId) => data.registry.engineFor(connectionId),
    maxRows: config.maxQueryRows,
    timeoutMs: config.queryTimeoutSeconds * 1000,
    cache,
    events,
    observer,
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
  const contentChecks = createContentChecks({
    db: store.db,
    jobs,
    charts: content.charts,
    dashboards: content.dashboards,
    checkQuery: (principal, body) => query.compileSaved(principal, body),
    owners,
  });
  const projectCompiles = createProjectCompiles({ jobs, models: data.models, owners });
  const views = createViewService({
    dashboards: content.dashboards,
    charts: content.charts,
    query,
    resolveModel,
  });
  const exports = createExportService({
    query,
    views,
    content,
    data: {
      resolveModel,
      engineFor: (connectionId) => data.registry.engineFor(connectionId),
    },
    jobs,
    owners,
    ...files,
    secret: config.secret,
    maxRows: config.maxQueryRows,
    escapeFormulas: config.exportFormulaEscape,
    retentionHours: config.exportRetentionHours,
  });
  const queryJobs = createQueryJobService({
    jobs,
    query,
    resolveModel,
    runSql: (principal, connectionId, input, signal) =>
      data.connections.runSql(principal, connectionId, input, signal),
    sqlModel: (principal, connectionId, sql) => data.connections.sqlModel(principal, connectionId, sql),
    owners,
    ...files,
    retentionMs: config.queryResultRetentionMinutes * 60_000,
    queryTimeoutMs: config.queryTimeoutSeconds * 1000,
  });
  const schedules = createScheduleService({
    store,
    jobs,
    query,
    content,
    views,
    renderer: exports,
    attachments: {
      ...files,
      maxBytes: config.emailAttachmentMaxMb * 1024 * 1024,
      retentionHours: config.exportRetentionHours,
    },
    owners,
    mail: { smtpUrl: config.smtpUrl, from: config.smtpFrom, dailyQuota: config.emailDailyQuota },
    publicUrl: config.publicUrl,
    secret: config.secret,
    outboundAllow: config.outboundAllow,
    events,
  });
  const directory = createDirectoryService(store, {
    events,
    // Every row as stored (row policies apply), never from the cache: attributes follow the source now.
    readSource: async (principal, ref) => {
      const model = await data.models.resolveModel(principal, ref);
      const ir = { dimensions: [], metrics: [], sorts: [], offset: 0, aggregate: false };
      const result = await query.runIr(principal, model, ir, { noCache: true });
      return { ...result, columns: result.columns.map((column) => column.name) };
    },
  });
  const embeds = createEmbedService({
    store,
    secret: config.secret,
    canEditDashboard: (principal, ref) => content.dashboards.editable(principal, ref),
    userPrincipal: owners,
    attributeKeys: async (organizationId) =>
      (await listAttributeDefinitions(store.db, organizationId)).map((definition) => definition.key),
  });
  const account = createAccountService({
    store,
    secret: config.secret,
    sendNotice: (organizationId, message) => schedules.sendNotice(organizationId, message),
    directory,
  });
  const invitations = createInvitationJobs({ jobs, auth, directory, owners });
  // Last of the subscriptions: the other nodes are told once this node's own reactions have run.
  createClusterRelay({ events, bus, cache, engines: data.registry });
  return {
    directory,
    auth,
    account,
    invitations,
    data,
    query,
    queryJobs,
    cacheBusts: createCacheBusts({ jobs, query, owners }),
    content,
    contentChecks,
    contentJobs: createContentJobs({
      jobs,
      dashboards: content.dashboards,
      folders: content.folders,
      owners,
    }),
    projectCompiles,
    modelDeploys: createModelDeploys({
      jobs,
      owners,
      formats: {
        [DBT_MANIFESTS_FORMAT]: (principal, plan, target) =>
          deployManifestsPlan(data, principal, plan as DbtManifestsPlan, target),
      },
    }),
    views,
    preloads: createDashboardPreloads({ jobs, views, dashboards: content.dashboards, owners }),
    jobs,
    embeds,
    scripts: createScriptService({
      store,
      jobs,
      auth,
      timeoutMs: config.scriptTimeoutSeconds * 1000,
      memoryMb: config.scriptMemoryMb,
      onDeleted: (script) => content.folders.forgetItem(script.organizationId, 'script', script.uuid),
      filing: content.folders,
      python: config.scriptPython,
      sandbox: config.scriptSandbox,
      dataDir: config.dataDir,
      filesDir: config.filesDir,
      events,
    }),
    exports,
    schedules,
    audit: createAuditService(store),
    trash: createTrashService({ bins: [content.trash, data.trash] }),
    externalIds,
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
