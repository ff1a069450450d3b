import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapDirectory } from '../src/core/auth/bootstrap.ts';
import { createDataModule, type DataModule } from '../src/core/data/index.ts';
import type { StorageIngestor } from '../src/core/data/ingest.ts';
import { createSourceFileService } from '../src/core/data/source-files.ts';
import { principalFor } from '../src/core/data/test-support.ts';
import { createFileStore } from '../src/core/exports/files.ts';
import { createLargeObjectFiles, directoryFiles, type SharedFiles } from '../src/core/files/index.ts';
import { createResultStore } from '../src/core/query/results/store.ts';
import { createAttachmentUploads } from '../src/core/schedules/attachments.ts';
import { createOutboxStore, type OutboxRow } from '../src/core/schedules/outbox-store.ts';
import { openPostgresStore, openSqliteStore, type Store } from '../src/store/database.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { createTempPostgres } from './support/databases.ts';

/**
 * Two nodes, each with its own files dir, read what the other made: through PostgreSQL large
 * objects on one metadata database, or through one shared `ROSETTA_FILES_DIR` without it.
 */
interface FilesNode {
  store: Store;
  filesDir: string;
  sharedFiles: SharedFiles;
}

const database = await createTempPostgres('rosetta_shared_files');
afterAll(() => database.drop());
const SECRET = 'a server secret of some length';
const HOUR = 3_600_000;
const temp = (name: string) => mkdtempSync(join(tmpdir(), `rosetta-${name}-`));

async function postgresNodes(): Promise<FilesNode[]> {
  // A pool each, as two processes would have.
  const stores = [openPostgresStore(database.url), openPostgresStore(database.url)];
  await migrateToLatest(stores[0]);
  return stores.map((store) => ({
    store,
    filesDir: temp('node'),
    sharedFiles: createLargeObjectFiles(store),
  }));
}

async function directoryNodes(): Promise<FilesNode[]> {
  const store = openSqliteStore(join(temp('metadata'), 'rosetta.sqlite'));
  await migrateToLatest(store);
  const filesDir = temp('shared-files');
  return [0, 1].map(() => ({ store, filesDir, sharedFiles: directoryFiles }));
}

const setups = [
  { name: 'PostgreSQL large objects', open: postgresNodes, skip: !database.available },
  { name: 'a shared ROSETTA_FILES_DIR', open: directoryNodes, skip: false },
];

describe.each(setups)('files made on one node are read through another: $name', ({ open, skip }) => {
  let nodes: FilesNode[];
  let data: DataModule;
  const principal = principalFor('admin');

  beforeAll(async () => {
    if (skip) return;
    nodes = await open();
    await bootstrapDirectory(nodes[0].store, {
      adminEmail: 'admin@example.com',
      adminPassword: 'shared-files-admin',
    });
    data = createDataModule({ store: nodes[0].store, dataDir: nodes[0].filesDir, secret: SECRET });
    await data.connections.ensureEmbedded(principal.organizationId);
  });
  afterAll(async () => {
    if (skip) return;
    await data.close();
    for (const store of new Set(nodes.map((node) => node.store))) await store.close();
    for (const dir of new Set(nodes.map((node) => node.filesDir)))
      rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('an export downloads through the other node until it expires there', async () => {
    const [a, b] = nodes.map((node) => createFileStore({ ...node, secret: SECRET, retentionMs: HOUR }));
    const key = randomUUID();
    const content = randomBytes(3 * 1024 * 1024 + 7);
    writeFileSync(join(await a.prepare(key), 'Sales 2026-01-10.csv'), content);
    const now = new Date();
    await a.touch(key, now);
    const { token } = a.sign(key, now);

    const file = await b.openSigned(token, now);
    expect(file).toMatchObject({ filename: 'Sales 2026-01-10.csv', size: content.length });
    expect(file.path.startsWith(nodes[1].filesDir)).toBe(true);
    expect(readFileSync(file.path).equals(content)).toBe(true);

    await b.cleanup(new Date(now.getTime() + HOUR + 60_000));
    await expect(a.open(key)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });

  it.skipIf(skip)('an email attachment uploaded to one node is attached by the other', async () => {
    const [a, b] = nodes.map((node) => createAttachmentUploads({ ...node, retentionHours: 1 }));
    const uuid = randomUUID();
    const upload = join(nodes[0].filesDir, `upload-${uuid}`);
    writeFileSync(upload, 'month;total\n2026-01;12.5\n');
    await a.save(principal, uuid, upload);

    expect(await b.check(principal.organizationId, 'uuid', uuid)).toBe(uuid);
    const attached = await b.read(principal.organizationId, uuid, 'totals.csv');
    expect(attached).toMatchObject({ filename: 'totals.csv', contentType: 'text/csv' });
    expect(attached.content.toString()).toBe('month;total\n2026-01;12.5\n');
    await expect(b.check(principal.organizationId + 1, 'uuid', uuid)).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
  });

  it.skipIf(skip)("a held email's attachments kept on one node are served by the other", async () => {
    const now = () => new Date();
    const [a, b] = nodes.map((node) => createOutboxStore({ db: node.store.db, now, ...node }));
    const row = {
      id: 0,
      uuid: randomUUID(),
      organization_id: principal.organizationId,
      attachments: JSON.stringify([{ filename: 'a.pdf', contentType: 'application/pdf', size: 3 }]),
      files_kept_until: new Date(Date.now() + HOUR).toISOString(),
    } as OutboxRow;
    await a.keep(row, [{ filename: 'a.pdf', contentType: 'application/pdf', content: Buffer.from('%PD') }]);
    expect((await b.kept(row, 0))?.content.toString()).toBe('%PD');
    await a.forget(row);
    expect(await b.kept(row, 0)).toBeUndefined();
  });

  it.skipIf(skip)('a file staged on one node is loaded by a job on the other, as last staged', async () => {
    const source = await data.sources.create(principal, { type: 'storage', name: `staged ${randomUUID()}` });
    const loaded: Array<{ content: string; delimiter?: string }> = [];
    // Records what the load read: the rows' path into storage is not what these tests are about.
    const loadCsv: StorageIngestor['loadCsv'] = async (_principal, _ref, file, options) => {
      loaded.push({ content: readFileSync(file, 'utf8'), delimiter: options.delimiter });
      return { rows: 1, version: 1 };
    };
    const ingestor = { loadCsv } as StorageIngestor;
    const [a, b] = nodes.map((node) =>
      createSourceFileService({ ...node, secret: SECRET, sources: data.sources, ingestor }),
    );
    const stage = async (content: string) => {
      const upload = join(nodes[0].filesDir, 'uploads', `upload-${randomUUID()}`);
      writeFileSync(upload, content);
      await a.stage(principal, source.uuid, upload);
    };

    await a.setOptions(principal, source.uuid, { delimiter: ';' });
    await stage('n;label\n1;one\n');
    await b.load(principal, source.uuid, { mode: 'replace' });
    // Restaged with as many bytes: the other node's copy is stale and must not be loaded.
    await stage('n;label\n2;two\n');
    await b.load(principal, source.uuid, { mode: 'replace' });
    expect(loaded).toEqual([
      { content: 'n;label\n1;one\n', delimiter: ';' },
      { content: 'n;label\n2;two\n', delimiter: ';' },
    ]);
  });

  it.skipIf(skip)("a query job's result pages through the other node until purged", async () => {
    const [a, b] = nodes.map((node) => createResultStore({ ...node, retentionMs: HOUR }));
    const key = randomUUID();
    const rows = Array.from({ length: 2_500 }, (_, i) => [i, `row ${i}\n"quoted"`, i % 3 ? i * 1.5 : null]);
    const now = new Date();
    await a.write(key, rows, now);

    expect(await b.read(key, 0, rows.length)).toEqual(rows);
    expect(await b.read(key, 1_990, 20)).toEqual(rows.slice(1_990, 2_010));
    await b.purge(new Date(now.getTime() + HOUR + 60_000));
    expect(await a.read(key, 0, 10)).toBeUndefined();
  });
});
