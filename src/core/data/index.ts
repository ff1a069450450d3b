import { createEngine } from '../../engines/index.ts';
import type { SharedStorageSpec } from '../../engines/storage-url.ts';
import type { Store } from '../../store/database.ts';
import { createStoreLock } from '../../store/locks.ts';
import { createDomainEvents, type DomainEvents } from '../events.ts';
import type { SharedFiles } from '../files/index.ts';
import type { ItemFiling } from '../filing.ts';
import type { OperationsObserver } from '../observer.ts';
import type { TrashBin } from '../trash/bin.ts';
import { type ConnectionBrowser, createConnectionBrowser } from './connection-browser.ts';
import { type ConnectionService, createConnectionService } from './connections.ts';
import { createEngineRegistry, type EngineFactory, type EngineRegistry } from './engine-registry.ts';
import { createStorageIngestor, type StorageIngestor } from './ingest.ts';
import { createMemberRuleService, type MemberRuleService } from './member-rules.ts';
import { createModelService, type ModelService } from './models.ts';
import { createSecretBox } from './secrets.ts';
import { createSourceFileService, type SourceFileService } from './source-files.ts';
import { createDataSourceService, type DataSourceService } from './sources.ts';
import { createDataTrash } from './trash.ts';

export {
  type CompilePayload,
  type CompileResult,
  type CompileTrigger,
  createProjectCompiles,
  type ModelCompile,
  PROJECT_COMPILE_JOB_TYPE,
  type ProjectCompiles,
} from './compiles.ts';
export type { ConnectionBrowser, ConnectionTarget, TableAddress } from './connection-browser.ts';
export { type ConnectionService, EMBEDDED_CONNECTION_NAME, EMBEDDED_DUCKDB_FILE } from './connections.ts';
export type { CsvOptions } from './csv.ts';
export { DEMO_SOURCE_NAME, ensureDemoData } from './demo.ts';
export {
  DEMO_BULK_ORDERS,
  DEMO_CATEGORIES,
  DEMO_COLUMNS,
  DEMO_COUNTRIES,
  DEMO_MARKETS,
  DEMO_ROWS,
  DEMO_SPIKE,
  demoRows,
} from './demo-rows.ts';
export type { EngineFactory, EngineRegistry } from './engine-registry.ts';
export type { RowsBatch, RowsMode, RowsOperation, StorageIngestor } from './ingest.ts';
export type { MemberRuleInput, MemberRuleService, RuleTarget, StoredMemberRule } from './member-rules.ts';
export {
  createModelDeploys,
  type DeployPlan,
  type DeployTarget,
  MODEL_DEPLOY_JOB_TYPE,
  type ModelDeploys,
} from './model-deploys.ts';
export { type ModelService, modelOfDataSource, SOURCE_TABLE } from './models.ts';
export { createSecretBox, type SecretBox } from './secrets.ts';
export type { FileLoadOptions, SourceFileService } from './source-files.ts';
export { type DataSourceService, relationOf } from './sources.ts';
export type { IngestResult } from './storage-writes.ts';
export type * from './types.ts';
export { DEFAULT_UPLOAD_MAX_BYTES, uploadError, uploadTooLarge } from './upload-limit.ts';

export interface DataModule {
  connections: ConnectionService;
  /** Tests and browses saved connections and unsaved parameters (connection dialogs). */
  connectionBrowser: ConnectionBrowser;
  sources: DataSourceService;
  models: ModelService;
  /** Which values of a field each user or group sees (data security). */
  memberRules: MemberRuleService;
  ingestor: StorageIngestor;
  /** Uploaded files of storage sources, loaded in a second call; push tokens. */
  files: SourceFileService;
  registry: EngineRegistry;
  /** Trashed data sources and connections. */
  trash: TrashBin;
  /** Closes every warehouse engine (on shutdown). */
  close(): Promise<void>;
}

/** Wires the data module: one engine registry shared by every service. */
export function createDataModule(deps: {
  store: Store;
  dataDir: string;
  /** Where staged uploads go (`<filesDir>/uploads`); the data dir by default. */
  filesDir?: string;
  /** Where staged uploads are published for the other nodes; none beyond the files dir by default. */
  sharedFiles?: SharedFiles;
  /** The server secret (`config.secret`) from which the connection-secret key is derived. */
  secret: string;
  /** Where data, connection, model and source changes are announced; a private bus by default. */
  events?: DomainEvents;
  createEngine?: EngineFactory;
  /** Statements typed in the SQL console are cancelled after this long (ERR_TIMEOUT). */
  sqlTimeoutMs?: number;
  /** Largest uploaded file (CSV, gzip counted decompressed, JSON rows); default 1 GiB. */
  maxUploadBytes?: number;
  /** Rows one query returns at most (configuration `maxQueryRows`): write-policy checks read with it. */
  maxQueryRows?: number;
  /** Files sources and models in data-source folders (the content module's); none by default. */
  filing?: ItemFiling;
  /** Told the rows each write into managed storage committed. */
  observer?: Pick<OperationsObserver, 'rowsWritten'>;
  /** Managed storage on a warehouse every node reaches, instead of each organization's embedded DuckDB. */
  sharedStorage?: SharedStorageSpec;
}): DataModule {
  const secrets = createSecretBox(deps.secret);
  const events = deps.events ?? createDomainEvents();
  const registry = createEngineRegistry({
    store: deps.store,
    secrets,
    dataDir: deps.dataDir,
    createEngine: deps.createEngine ?? createEngine,
    sharedStorage: deps.sharedStorage,
  });
  const { filing } = deps;
  const sources = createDataSourceService({
    store: deps.store,
    registry,
    filing,
    ...(deps.sharedStorage && { storageLock: createStoreLock(deps.store) }),
  });
  const { maxUploadBytes } = deps;
  const models = createModelService({ store: deps.store, registry, sources, events, filing });
  const memberRules = createMemberRuleService({ store: deps.store, models, sources });
  events.on('objectPurged', (event) => memberRules.forget(event));
  const ingestor = createStorageIngestor({
    sources,
    events,
    maxUploadBytes,
    maxQueryRows: deps.maxQueryRows,
    observer: deps.observer,
  });
  const connections = createConnectionService({
    store: deps.store,
    secrets,
    registry,
    dataDir: deps.dataDir,
    sqlTimeoutMs: deps.sqlTimeoutMs,
    events,
    sharedStorage: deps.sharedStorage,
  });
  return {
    connections,
    connectionBrowser: createConnectionBrowser({
      connections,
      registry,
      createEngine: deps.createEngine ?? createEngine,
      sqlTimeoutMs: deps.sqlTimeoutMs,
    }),
    sources,
    models,
    memberRules,
    ingestor,
    files: createSourceFileService({
      filesDir: deps.filesDir ?? deps.dataDir,
      sharedFiles: deps.sharedFiles,
      secret: deps.secret,
      sources,
      ingestor,
      maxUploadBytes,
    }),
    registry,
    trash: createDataTrash({ store: deps.store, sources, registry, events }),
    close: () => registry.close(),
  };
}
