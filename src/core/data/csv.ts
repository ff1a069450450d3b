import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { parse } from 'csv-parse';
import type { StorageColumn } from '../../engines/types.ts';
import { isRosettaError, RosettaError, validationError } from '../errors.ts';
import type { DomainEvents } from '../events.ts';
import { checkColumnName, storageTypes } from './columns.ts';
import type { DataSourceService } from './sources.ts';
import {
  bringsNewColumns,
  ensureTable,
  finishBatch,
  type IngestResult,
  mapStorageError,
  redefineTable,
} from './storage-writes.ts';
import type { DataSource } from './types.ts';
import { checkCsvFile, inflateFile } from './upload-limit.ts';
import { inferType, type ScalarType } from './values.ts';

/**
 * CSV files into storage sources. The bulk of the file goes through DuckDB's own reader (the
 * engine's `loadCsv`); here we only read the header and a sample (csv-parse) to map the file's
 * columns onto the source: every header column must be a column of the source (missing source
 * columns become NULL), or, for a source without columns yet, the header defines them with
 * forced types (`types`) or types inferred from the first 1000 records. A gzip file is inflated
 * first, through a cap on its decompressed size (`maxBytes`), so a bomb is refused before any
 * table changes; DuckDB then reads the plain file (in parallel, which it cannot do with gzip).
 */
export interface CsvOptions {
  mode: 'replace' | 'append';
  /** One character; default `,`. */
  delimiter?: string;
  /** Forced column types by name (the lower-cased name when `lowerCaseHeader`). */
  types?: Record<string, string>;
  /** Lower-case the header's column names (for faces whose storage keeps names in lower case). */
  lowerCaseHeader?: boolean;
}

const SAMPLE_RECORDS = 1000;

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function sample(file: string, delimiter: string): Promise<{ header: string[]; records: string[][] }> {
  const input = createReadStream(file);
  const parser = parse({ delimiter, bom: true, relax_column_count: true });
  // `pipe` does not forward a read error (a staged file replaced by a new upload meanwhile): left
  // unhandled it would end the process. It fails the load as the server's error, not the file's.
  let readError: Error | undefined;
  input.on('error', (error) => {
    readError = error;
    parser.destroy(error);
  });
  input.pipe(parser);
  const records: string[][] = [];
  try {
    for await (const record of parser) {
      records.push(record as string[]);
      if (records.length > SAMPLE_RECORDS) break;
    }
  } catch (error) {
    if (error === readError) throw error;
    throw validationError(
      'file',
      `not readable as CSV: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    input.destroy();
  }
  const [header, ...rest] = records;
  if (!header) throw validationError('file', 'the CSV file is empty');
  return { header, records: rest };
}

function forcedTypes(types: Record<string, string> | undefined, header: string[]): Map<string, ScalarType> {
  const forced = new Map<string, ScalarType>();
  for (const [name, type] of Object.entries(types ?? {})) {
    if (!header.includes(name)) throw validationError(`types.${name}`, 'not a column of the CSV header');
    if (!storageTypes.includes(type as ScalarType))
      throw validationError(`types.${name}`, `must be one of ${storageTypes.join(', ')}`);
    forced.set(name, type as ScalarType);
  }
  return forced;
}

/** The file's columns, typed: by the source when it has columns, else forced or inferred. */
function csvColumns(
  source: DataSource,
  header: string[],
  records: string[][],
  forced: Map<string, ScalarType>,
): StorageColumn[] {
  return header.map((raw, index) => {
    const name = checkColumnName(raw, `header[${index + 1}]`);
    if (source.columns.length === 0) {
      return { name, type: forced.get(name) ?? inferType(records.map((record) => record[index])) };
    }
    const column = source.columns.find((c) => c.name === name);
    if (!column) throw validationError(`header[${index + 1}]`, `unknown column "${name}"`);
    const type = column.type === 'json' ? 'string' : column.type;
    const wanted = forced.get(name);
    if (wanted && wanted !== type) throw validationError(`types.${name}`, `the column is declared ${type}`);
    return { name, type };
  });
}

/**
 * DuckDB reports conversion errors as "CSV Error on Line: N … column "x" … Could not convert
 * string "v" to 'T'"; the useful parts become a 400 naming the line and column.
 */
function csvError(error: unknown, columns: StorageColumn[]): unknown {
  if (!isRosettaError(error) || error.code !== 'ERR_ENGINE') return error;
  const line = /Line:\s*(\d+)/.exec(error.message)?.[1];
  if (!line) return error;
  const column =
    /column "?([^"\n]+?)"?\. /i.exec(error.message)?.[1] ??
    /Column (.+?) is being converted/.exec(error.message)?.[1];
  const value = /Could not convert string "([^"]*)"/.exec(error.message)?.[1];
  const type = columns.find((c) => c.name === column)?.type;
  const field = column ? `line ${line}, column "${column}"` : `line ${line}`;
  const problem =
    type && value !== undefined
      ? `expected ${type}, got "${value}"`
      : (error.message.split('\n')[0] ?? 'invalid value');
  return new RosettaError('ERR_VALIDATION', `${field}: ${problem}`, column);
}

/**
 * The file as DuckDB should read it: a gzip file inflated next to it (the caller removes the
 * copy), a plain one as it is; either way no larger than `maxBytes`.
 */
async function plainFile(file: string, maxBytes: number): Promise<string> {
  const gzip = await isGzip(file);
  if (gzip !== file.endsWith('.gz'))
    throw validationError('file', gzip ? 'gzip content needs a .gz name' : 'not gzip content');
  if (!gzip) {
    await checkCsvFile(file, maxBytes);
    return file;
  }
  // No `.gz` left in the name: readers tell compression from the extensions.
  const inflated = `${file.slice(0, -'.gz'.length)}.${randomUUID()}.csv`;
  await inflateFile(file, inflated, maxBytes);
  return inflated;
}

export async function loadCsvFile(
  sources: DataSourceService,
  initial: DataSource,
  file: string,
  options: CsvOptions,
  limits: { maxBytes: number; events: DomainEvents },
): Promise<IngestResult> {
  const delimiter = options.delimiter ?? ',';
  if ([...delimiter].length !== 1 || delimiter === '"' || delimiter === '\n') {
    throw validationError('delimiter', 'must be one character other than a quote or newline');
  }
  if (options.mode !== 'replace' && options.mode !== 'append')
    throw validationError('mode', 'must be replace or append');
  const plain = await plainFile(file, limits.maxBytes);
  try {
    return await loadPlainCsv(sources, initial, plain, { ...options, delimiter }, limits.events);
  } finally {
    if (plain !== file) await rm(plain, { force: true });
  }
}

async function loadPlainCsv(
  sources: DataSourceService,
  initial: DataSource,
  file: string,
  options: CsvOptions & { delimiter: string },
  events: DomainEvents,
): Promise<IngestResult> {
  const { delimiter } = options;
  const { header: read, records } = await sample(file, delimiter);
  const header = options.lowerCaseHeader ? read.map((name) => name.toLowerCase()) : read;
  const redefined =
    options.mode === 'replace' && initial.columns.length > 0 && bringsNewColumns(initial, header);
  const typedBy = redefined ? { ...initial, columns: [] } : initial;
  const columns = csvColumns(typedBy, header, records, forcedTypes(options.types, header));
  const source = redefined
    ? await redefineTable(sources, initial, columns)
    : await ensureTable(sources, initial, columns);
  let rows: number;
  try {
    const storage = await sources.storageOf(source);
    rows = await storage.loadCsv(source.table ?? '', columns, file, {
      delimiter,
      header: true,
      mode: options.mode,
    });
  } catch (error) {
    throw mapStorageError(csvError(error, columns));
  }
  return { rows, version: await finishBatch(sources, source, events) };
}
