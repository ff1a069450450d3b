import {
  type DuckDBConnection,
  type DuckDBExtractedStatements,
  type DuckDBPreparedStatement,
  StatementType,
} from '@duckdb/node-api';
import { isRosettaError, type RosettaError, validationError } from '../../core/errors.ts';

const EXTRACTION_FAILED = 'Failed to extract statements: ';

/** DuckDB's own words on a statement it refuses, as a 400 on `sql`. */
function refused(error: unknown): RosettaError {
  if (isRosettaError(error)) return error;
  return validationError('sql', error instanceof Error ? error.message : String(error));
}

/**
 * The statements of `sql`, or DuckDB's words on why it cannot split them. The binding reports
 * text without any statement (only comments) as an error without DuckDB's words.
 */
async function extract(connection: DuckDBConnection, sql: string): Promise<DuckDBExtractedStatements> {
  try {
    return await connection.extractStatements(sql);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    throw validationError(
      'sql',
      message.startsWith(EXTRACTION_FAILED)
        ? message.slice(EXTRACTION_FAILED.length)
        : 'must be a SELECT statement',
    );
  }
}

/**
 * Whether DuckDB's parser reads `sql` (one statement) as a SELECT, before anything is bound:
 * `json_serialize_sql` serializes SELECT statements only. It refuses a PRAGMA even where the
 * planner would rewrite it into a SELECT of a catalog function.
 */
async function parsesAsSelect(connection: DuckDBConnection, sql: string): Promise<boolean> {
  const result = await connection.run('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  const [[serialized]] = await result.getRows();
  return (JSON.parse(String(serialized)) as { error: boolean }).error === false;
}

/**
 * Prepares SQL a user wrote, as DuckDB itself classifies it: exactly one statement, which DuckDB's
 * parser reads as a SELECT and its planner prepares as a SELECT. A `WITH … INSERT` is an INSERT;
 * `PRAGMA`, `SET`, `ATTACH`, `COPY`, `EXPORT`, `INSTALL`/`LOAD` and `CALL` are not SELECTs either.
 * Anything else, and any statement DuckDB cannot prepare, is ERR_VALIDATION on `sql` with DuckDB's
 * words. The caller destroys the prepared statement.
 */
export async function prepareSelect(
  connection: DuckDBConnection,
  sql: string,
): Promise<DuckDBPreparedStatement> {
  const statements = await extract(connection, sql);
  if (statements.count > 1) throw validationError('sql', 'must be a single statement');
  const select = await parsesAsSelect(connection, sql).catch((error: unknown) => {
    throw refused(error);
  });
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await statements.prepare(0);
  } catch (error) {
    // What the binder says of a DROP of a missing table is beside the point.
    throw select ? refused(error) : notSelect();
  }
  if (!select || prepared.statementType !== StatementType.SELECT) {
    const type =
      prepared.statementType === StatementType.SELECT ? undefined : StatementType[prepared.statementType];
    prepared.destroySync();
    throw notSelect(type);
  }
  return prepared;
}

const notSelect = (type?: string): RosettaError =>
  validationError('sql', `must be a SELECT statement${type ? `, not ${type}` : ''}`);
