/**
 * CSV written by DuckDB's own `COPY … TO`, shaped to read like `writeCsv` over the stream path
 * (which turns every value into a JS value first, the slow part of a big export).
 */
import { type DuckDBConnection, type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import { columnTypeOfNative } from '../columnTypes.ts';
import { FORMULA_TRIGGERS, neutralizeFormula } from '../formula-cells.ts';
import type { CompiledQuery, CsvCopyOptions } from '../types.ts';
import { quoteIdent, quoteLiteral } from './database.ts';

/** A result column; `type` is missing where DuckDB cannot tell before the parameters are bound. */
interface CopyColumn {
  name: string;
  type?: DuckDBType;
}

const ISO_MILLIS = quoteLiteral('%Y-%m-%dT%H:%M:%S.%gZ');

/**
 * A number as JS prints it, where DuckDB's text differs: whole values without `.0` (exact as
 * BIGINT below 2^53), `NaN` and `Infinity` spelled as in JS.
 */
const jsNumber = (value: string): string =>
  `CASE WHEN isnan(${value}) THEN 'NaN'
    WHEN isinf(${value}) THEN CASE WHEN ${value} > 0 THEN 'Infinity' ELSE '-Infinity' END
    WHEN ${value} = trunc(${value}) AND abs(${value}) < 9007199254740992 THEN ${value}::BIGINT::VARCHAR
    ELSE ${value}::VARCHAR END`;

/**
 * The text of one column as the stream path prints it (`values.ts`): instants as UTC ISO with
 * milliseconds, decimals and floats as JS numbers (a FLOAT shows its widened value, as in JS),
 * nested values as compact JSON, and `''` unquoted like NULL (DuckDB would quote it as `""`).
 * Still different: exponents keep DuckDB's spelling (`1.5e-07`, `1e+21`, and whole numbers past
 * 2^53 such as `1e+20`), decimals inside nested values print as numbers, intervals as DuckDB's
 * text, and instants outside years 0–9999 without JS's signed six-digit years.
 */
function csvValue(column: string, type: DuckDBType | undefined): string {
  switch (type?.typeId) {
    case DuckDBTypeId.VARCHAR:
      return `nullif(${column}, '')`;
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return jsNumber(`${column}::DOUBLE`);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return `strftime(timezone('UTC', ${column}), ${ISO_MILLIS})`;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return `strftime(${column}::TIMESTAMP, ${ISO_MILLIS})`;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
      return `to_json(${column})::VARCHAR`;
    default:
      return column;
  }
}

const formulaStarts = FORMULA_TRIGGERS.map((c) =>
  c < ' ' ? `chr(${c.charCodeAt(0)})` : quoteLiteral(c),
).join(', ');

/**
 * `neutralizeFormula` in SQL, for the columns the stream path calls text (`string`): the same
 * cells get the same quote. A column typed only by a parameter is left as it is; no query the
 * IR compiles selects a bare text parameter.
 */
function escapedCsvValue(column: string, type: DuckDBType | undefined): string {
  const value = csvValue(column, type);
  if (!type || columnTypeOfNative(type.toString()) !== 'string') return value;
  const text = `(${value})::VARCHAR`;
  return `CASE WHEN left(${text}, 1) IN (${formulaStarts}) THEN '''' || ${text} ELSE ${text} END`;
}

/** The result columns of `sql`, from preparing it (nothing runs). */
export async function copyColumnsOf(connection: DuckDBConnection, sql: string): Promise<CopyColumn[]> {
  const prepared = await connection.prepare(sql);
  try {
    const columns: CopyColumn[] = [];
    for (let i = 0; i < prepared.columnCount; i++) {
      let type: DuckDBType | undefined;
      try {
        type = prepared.columnType(i);
      } catch {
        // A column typed only by a parameter is left as DuckDB prints it.
      }
      columns.push({ name: prepared.columnName(i), type });
    }
    return columns;
  } finally {
    prepared.destroySync();
  }
}

/**
 * `COPY` of at most `limit` rows of `query` to `file`. The columns are renamed by position first,
 * so every name the query returns (even a duplicate) stays addressable; the file path and the
 * delimiter come from Rosetta, yet are still quoted as literals.
 */
export function copyCsvStatement(
  query: CompiledQuery,
  columns: readonly CopyColumn[],
  file: string,
  options: Pick<CsvCopyOptions, 'delimiter' | 'header' | 'escapeFormulas'>,
  limit: number,
): CompiledQuery {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`invalid COPY row limit ${limit}`);
  const escapeCells = options.escapeFormulas ?? true;
  const aliases = columns.map((_, i) => `c${i}`);
  const select = columns.map((c, i) => {
    const value = escapeCells ? escapedCsvValue(aliases[i], c.type) : csvValue(aliases[i], c.type);
    // The header is the column names: they are text cells too.
    return `${value} AS ${quoteIdent(escapeCells ? neutralizeFormula(c.name) : c.name)}`;
  });
  const settings = [
    options.header ? 'HEADER' : 'HEADER false',
    `DELIMITER ${quoteLiteral(options.delimiter)}`,
    // RFC 4180's line break, as `writeCsv` writes by default.
    `NEW_LINE ${quoteLiteral('\r\n')}`,
  ];
  const sql = `COPY (SELECT ${select.join(', ')} FROM (${query.sql}) AS q(${aliases.join(', ')}) LIMIT ${limit})
    TO ${quoteLiteral(file)} (${settings.join(', ')})`;
  return { sql, params: query.params };
}
