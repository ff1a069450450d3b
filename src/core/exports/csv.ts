/**
 * CSV export (RFC 4180): rows are pulled from the engine's stream only as fast as the output
 * takes them, so memory stays flat whatever the row count.
 */
import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { neutralizeFormula } from '../../engines/formula-cells.ts';
import type { JsonScalar, RowStream } from '../../engines/types.ts';
import { validationError } from '../errors.ts';

export interface CsvOptions {
  /** One character, not a quote or line break; default `,`. */
  delimiter?: string;
  /** Write the column names first; default true. */
  header?: boolean;
  /** RFC 4180 says CRLF (the default); `\n` for tools that want it. */
  lineEnding?: '\r\n' | '\n';
  /**
   * Quote-prefix text cells (and column names) a spreadsheet would run as formulas
   * (`formula-cells.ts`); default true. Numbers, dates and booleans are never changed.
   */
  escapeFormulas?: boolean;
}

export interface CsvWriteResult {
  rows: number;
  bytes: number;
}

/** Output chunks of about this size: big enough for throughput, small enough for memory. */
const CHUNK_CHARS = 256 * 1024;

function fieldEncoder(delimiter: string): (value: JsonScalar) => string {
  const special = new RegExp(`["\\r\\n${delimiter.replace(/[\\\]^-]/g, '\\$&')}]`);
  return (value) => {
    if (value === null) return '';
    if (typeof value !== 'string') return String(value);
    return special.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  };
}

/**
 * Per column, what its cells go through before encoding: only text columns can hold a formula;
 * a numeric column's strings (integers past 2^53, `-Infinity`) are numbers and stay as they are.
 */
function cellFilters(stream: RowStream, escapeFormulas: boolean): Array<(value: JsonScalar) => JsonScalar> {
  const text = (value: JsonScalar) => (typeof value === 'string' ? neutralizeFormula(value) : value);
  const same = (value: JsonScalar) => value;
  return stream.columns.map((column) => (escapeFormulas && column.type === 'string' ? text : same));
}

async function* csvChunks(stream: RowStream, options: Required<CsvOptions>, counts: CsvWriteResult) {
  const encode = fieldEncoder(options.delimiter);
  const { delimiter, lineEnding } = options;
  const name = options.escapeFormulas ? neutralizeFormula : (text: string) => text;
  const cell = cellFilters(stream, options.escapeFormulas);
  let chunk = options.header
    ? stream.columns.map((c) => encode(name(c.name))).join(delimiter) + lineEnding
    : '';
  for await (const batch of stream.batches) {
    for (const row of batch) {
      let line = row.length > 0 ? encode(cell[0](row[0])) : '';
      for (let i = 1; i < row.length; i++) line += delimiter + encode(cell[i](row[i]));
      chunk += line + lineEnding;
      if (chunk.length >= CHUNK_CHARS) {
        const bytes = Buffer.from(chunk);
        counts.bytes += bytes.length;
        chunk = '';
        yield bytes;
      }
    }
    counts.rows += batch.length;
  }
  if (chunk.length > 0) {
    const bytes = Buffer.from(chunk);
    counts.bytes += bytes.length;
    yield bytes;
  }
}

/**
 * Streams the rows to `out` (a file path or a writable, which is ended when done). Breaking
 * off on an output error also releases the engine's stream.
 */
export async function writeCsv(
  stream: RowStream,
  out: Writable | string,
  options: CsvOptions = {},
): Promise<CsvWriteResult> {
  const delimiter = options.delimiter ?? ',';
  if ([...delimiter].length !== 1 || /["\r\n]/.test(delimiter)) {
    throw validationError('delimiter', 'must be one character other than a quote or a line break');
  }
  const settings = {
    delimiter,
    header: options.header ?? true,
    lineEnding: options.lineEnding ?? '\r\n',
    escapeFormulas: options.escapeFormulas ?? true,
  };
  const counts: CsvWriteResult = { rows: 0, bytes: 0 };
  const target = typeof out === 'string' ? createWriteStream(out) : out;
  await pipeline(Readable.from(csvChunks(stream, settings, counts)), target);
  return counts;
}

export interface CsvBenchResult extends CsvWriteResult {
  seconds: number;
  rowsPerSecond: number;
  /** Highest resident memory seen during the export, less the memory before it. */
  peakRssGrowthBytes: number;
}

/** `writeCsv` with its duration and peak memory growth measured, for benchmarks and tests. */
export async function measureCsvExport(
  stream: RowStream,
  file: string,
  options: CsvOptions = {},
): Promise<CsvBenchResult> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  try {
    const counts = await writeCsv(stream, file, options);
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { ...counts, seconds, rowsPerSecond: counts.rows / seconds, peakRssGrowthBytes: peak - baseline };
  } finally {
    clearInterval(sampler);
  }
}
