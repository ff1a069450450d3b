import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import type { Principal } from '../auth/principal.ts';
import { forbidden, validationError } from '../errors.ts';
import { directoryFiles, type SharedFiles } from '../files/index.ts';
import type { RowsBatch, RowsOperation, StorageIngestor } from './ingest.ts';
import type { DataSourceService } from './sources.ts';
import { type IngestResult, writableSource } from './storage-writes.ts';
import type { DataSource } from './types.ts';
import {
  checkFileSize,
  DEFAULT_UPLOAD_MAX_BYTES,
  gzipHead,
  uploadError,
  uploadStages,
} from './upload-limit.ts';

/**
 * Files uploaded for a storage source, then loaded in a second call (how Serenytics clients
 * feed sources: upload, then "reload from file" or "update from file"). One staged file per
 * source, CSV (optionally gzip-compressed) or a JSON list of row objects, plus the load options
 * remembered for it (delimiter, forced types). Push tokens let a client write into one source.
 * A file larger than `maxUploadBytes` (gzip counted decompressed) is refused when it arrives,
 * and again when it is loaded, before any row is stored. The staged file and its options are
 * published to the shared store, as the load may run as a job on another node.
 */
export interface FileLoadOptions {
  delimiter?: string;
  types?: Record<string, string>;
}

export interface SourceFileService {
  setOptions(principal: Principal, ref: number | string, options: FileLoadOptions): Promise<void>;
  /** Makes an uploaded file (moved, not copied: it must be in `<filesDir>/uploads`) the staged one. */
  stage(principal: Principal, ref: number | string, file: string): Promise<void>;
  /** Replaces the content with the staged file, or upserts its rows on `key`. */
  load(
    principal: Principal,
    ref: number | string,
    how: { mode: 'replace' | 'upsert'; key?: string[]; lowerCaseHeader?: boolean },
  ): Promise<IngestResult>;
  pushTokenOf(source: DataSource): string;
  /**
   * Inserts rows through the source's push URL: the token must be the source's own (else
   * ERR_FORBIDDEN), on top of the caller's right to write the source.
   */
  pushWithToken(
    principal: Principal,
    ref: number | string,
    token: string,
    batch: Omit<RowsBatch, 'mode'>,
  ): Promise<IngestResult>;
}

const supported = 'upload a CSV file (optionally gzip-compressed) or a JSON list of row objects';

const HEAD_BYTES = 4096;

async function headOf(file: string): Promise<Buffer> {
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(HEAD_BYTES), 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function formatOf(file: string, maxBytes: number): Promise<'csv' | 'csv.gz' | 'json'> {
  const start = await headOf(file);
  const gzip = start[0] === 0x1f && start[1] === 0x8b;
  if (!gzip) await checkFileSize(file, maxBytes);
  const head = gzip ? await gzipHead(file, maxBytes, HEAD_BYTES) : start;
  // A pickle (pandas' to_pickle, which the vendor's 2.x client uploads) starts with 0x80.
  if (head.length === 0 || head[0] === 0x80 || head.includes(0)) throw validationError('file', supported);
  if (!gzip && head.toString('utf8').trimStart().startsWith('[')) return 'json';
  return gzip ? 'csv.gz' : 'csv';
}

export function createSourceFileService(deps: {
  /** Staged files go to `<filesDir>/uploads`, published to `sharedFiles` for the other nodes. */
  filesDir: string;
  sharedFiles?: SharedFiles;
  secret: string;
  sources: DataSourceService;
  ingestor: StorageIngestor;
  maxUploadBytes?: number;
}): SourceFileService {
  const maxBytes = deps.maxUploadBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  const directory = join(deps.filesDir, 'uploads');
  const shared = deps.sharedFiles ?? directoryFiles;
  const base = (source: DataSource) => join(directory, source.uuid);
  /** Source files in the shared store; `suffix` is an extension or `options.json`. */
  const sharedPath = (source: DataSource, suffix: string) => `uploads/${source.uuid}.${suffix}`;
  const extensions = ['csv', 'csv.gz', 'json'] as const;

  async function stagedFile(
    source: DataSource,
  ): Promise<{ file: string; format: (typeof extensions)[number] }> {
    for (const format of extensions) {
      const file = `${base(source)}.${format}`;
      if (await shared.fetch(sharedPath(source, format), file)) return { file, format };
    }
    throw validationError('file', `no file was uploaded for this source: ${supported}`);
  }

  async function optionsOf(source: DataSource): Promise<FileLoadOptions> {
    const file = `${base(source)}.options.json`;
    const found = await shared.fetch(sharedPath(source, 'options.json'), file);
    const text = found ? await readFile(file, 'utf8').catch(() => '{}') : '{}';
    return JSON.parse(text) as FileLoadOptions;
  }

  async function csvRows(
    file: string,
    format: 'csv' | 'csv.gz',
    delimiter: string,
    lowerCase = false,
  ): Promise<Record<string, unknown>[]> {
    const parser = parse({
      delimiter,
      bom: true,
      columns: lowerCase ? (header: string[]) => header.map((name) => name.toLowerCase()) : true,
      cast: (value) => (value === '' ? null : value),
    });
    const rows: Record<string, unknown>[] = [];
    const collect = new Writable({
      objectMode: true,
      write(record: Record<string, unknown>, _encoding, callback) {
        rows.push(record);
        callback();
      },
    });
    await pipeline([...uploadStages(file, format === 'csv.gz', maxBytes), parser, collect]).catch(
      (error: unknown) => {
        throw uploadError(error);
      },
    );
    return rows;
  }

  async function jsonRows(file: string): Promise<unknown> {
    await checkFileSize(file, maxBytes);
    try {
      return JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw validationError('file', `not valid JSON: ${(error as Error).message}`);
    }
  }

  const tokenOf = (source: DataSource) =>
    createHmac('sha256', deps.secret).update(`push:${source.uuid}`).digest('hex').slice(0, 40);

  return {
    async setOptions(principal, ref, options) {
      const source = await writableSource(deps.sources, principal, ref);
      await mkdir(directory, { recursive: true });
      await writeFile(`${base(source)}.options.json`, JSON.stringify(options));
      await shared.publish(sharedPath(source, 'options.json'), `${base(source)}.options.json`);
    },
    async stage(principal, ref, file) {
      const source = await writableSource(deps.sources, principal, ref);
      const format = await formatOf(file, maxBytes);
      await mkdir(directory, { recursive: true });
      await Promise.all(
        extensions.map(async (ext) => {
          await rm(`${base(source)}.${ext}`, { force: true });
          await shared.remove(sharedPath(source, ext));
        }),
      );
      await rename(file, `${base(source)}.${format}`);
      await shared.publish(sharedPath(source, format), `${base(source)}.${format}`);
    },
    async load(principal, ref, how) {
      const source = await writableSource(deps.sources, principal, ref);
      const { file, format } = await stagedFile(source);
      // `lowerCaseHeader`: CSV column names in lower case, for faces whose storage keeps them so.
      const options = { ...(await optionsOf(source)), ...(how.lowerCaseHeader && { lowerCaseHeader: true }) };
      if (format !== 'json' && how.mode === 'replace') {
        return deps.ingestor.loadCsv(principal, source.uuid, file, { mode: 'replace', ...options });
      }
      const rows =
        format === 'json'
          ? await jsonRows(file)
          : await csvRows(file, format, options.delimiter ?? ',', options.lowerCaseHeader);
      if (!Array.isArray(rows)) throw validationError('file', supported);
      if (how.mode === 'replace') {
        return deps.ingestor.pushRows(principal, source.uuid, { mode: 'replace', rows });
      }
      const operation: RowsOperation = { mode: 'upsert', rows, ...(how.key && { key: how.key }) };
      return deps.ingestor.applyOperations(principal, source.uuid, [operation]);
    },
    pushTokenOf: tokenOf,
    async pushWithToken(principal, ref, token, batch) {
      const source = await deps.sources.get(principal, ref);
      const expected = Buffer.from(tokenOf(source));
      const given = Buffer.from(String(token));
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw forbidden('push with this token');
      return deps.ingestor.pushRows(principal, source.uuid, { ...batch, mode: 'insert' });
    },
  };
}
