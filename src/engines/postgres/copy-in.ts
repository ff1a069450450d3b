import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { validationError } from '../../core/errors.ts';
import { NUL_PROBLEM } from '../../core/storable.ts';
import {
  booleanOf,
  EXPECTED_VALUE,
  integerOf,
  isDateText,
  isDateTimeText,
  numberOf,
  timestampTextOf,
} from '../storage-input.ts';
import type { ColumnType, JsonScalar } from '../types.ts';

/**
 * Rows into PostgreSQL through `COPY … FROM STDIN`: JSON values are encoded in COPY's text
 * format (tab-separated, `\N` for NULL, backslash escapes), checked by column type on the way so
 * a bad value is ERR_VALIDATION naming its row and column before the server sees any of it.
 */

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;
const SPECIAL = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** Encoded text handed to the connection at a time, so a large batch is not one huge string. */
const CHUNK_CHARS = 1 << 16;

function textOf(value: JsonScalar): string | undefined {
  const text = typeof value === 'string' ? value : String(value);
  if (!SPECIAL.test(text)) return text;
  return text.includes('\0') ? undefined : text.replace(/[\\\t\n\r]/g, (character) => ESCAPES[character]);
}

/**
 * COPY text of a non-null value of each type, or undefined when the value does not fit; the
 * first test of each is the shape the core sends, so a batch costs little more than its bytes.
 */
const ENCODERS: Record<ColumnType, (value: JsonScalar) => string | undefined> = {
  string: textOf,
  json: textOf,
  integer(value) {
    if (Number.isSafeInteger(value)) return String(value);
    const integer = integerOf(value);
    return integer !== undefined && integer >= BIGINT_MIN && integer <= BIGINT_MAX
      ? String(integer)
      : undefined;
  },
  number(value) {
    const number = typeof value === 'number' ? value : numberOf(value);
    return number === undefined ? undefined : String(number);
  },
  boolean(value) {
    const boolean = typeof value === 'boolean' ? value : booleanOf(value);
    return boolean === undefined ? undefined : boolean ? 't' : 'f';
  },
  date: (value) => (typeof value === 'string' && isDateText(value) ? value : undefined),
  datetime(value) {
    if (typeof value === 'string' && isDateTimeText(value)) return value;
    const text = timestampTextOf(value);
    return text !== undefined && isDateTimeText(text) ? text : undefined;
  },
};

/**
 * The rows as COPY text chunks, encoded as the connection asks for them so the server parses one
 * chunk while the next is encoded; `sequence` appends each row's index as a last column (staging
 * tables use it to let the last row of a key win). A bad value throws, which aborts the COPY.
 */
export function* copyTextChunks(
  columns: readonly { name: string; type: ColumnType }[],
  rows: readonly (readonly JsonScalar[])[],
  sequence = false,
): Generator<string> {
  const encoders = columns.map((column) => ENCODERS[column.type]);
  let chunk = '';
  for (let row = 0; row < rows.length; row++) {
    const values = rows[row];
    if (!Array.isArray(values) || values.length !== columns.length)
      throw validationError(`rows[${row}]`, `expected ${columns.length} values`);
    let line = '';
    for (let column = 0; column < columns.length; column++) {
      const value = values[column];
      const text = value === null ? '\\N' : encoders[column](value);
      if (text === undefined) {
        const problem =
          typeof value === 'string' && value.includes('\0')
            ? NUL_PROBLEM
            : `expected ${EXPECTED_VALUE[columns[column].type]}, got ${JSON.stringify(value)}`;
        throw validationError(`rows[${row}].${columns[column].name}`, problem);
      }
      line += column === 0 ? text : `\t${text}`;
    }
    chunk += `${sequence ? `${line}\t${row}` : line}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** Runs a `COPY … FROM STDIN` statement fed with encoded rows; resolves to the rows copied. */
export async function copyRows(
  client: pg.PoolClient,
  sql: string,
  chunks: Iterable<string>,
): Promise<number> {
  const sink = client.query(copyFrom(sql));
  await pipeline(Readable.from(chunks), sink);
  return sink.rowCount;
}

/** Streams a CSV file (inflated when its name ends in `.gz`) into a `COPY … FROM STDIN` statement. */
export async function copyFile(client: pg.PoolClient, sql: string, file: string): Promise<number> {
  const sink = client.query(copyFrom(sql));
  if (file.endsWith('.gz')) await pipeline(createReadStream(file), createGunzip(), sink);
  else await pipeline(createReadStream(file), sink);
  return sink.rowCount;
}
