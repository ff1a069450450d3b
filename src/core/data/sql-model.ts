import type { Engine } from '../../engines/types.ts';
import { validationError } from '../errors.ts';
import type { Model } from '../query/model.ts';
import { refuseNul } from '../storable.ts';
import { SOURCE_TABLE } from './models.ts';

/**
 * A developer's SQL as a one-table model, so the query core can group, aggregate and pivot what
 * the statement returns (a SQL runner's pivot) with the IR, instead of a face writing SQL around
 * it. The warehouse types the statement (`describeQuery`, which also refuses anything but one
 * read); its columns are the model's dimensions. It reads no data source, so data-API keys,
 * which may query only their sources, never reach it.
 */
export async function sqlModelOf(engine: Engine, connectionId: number, sql: unknown): Promise<Model> {
  if (typeof sql !== 'string' || !sql.trim()) throw validationError('sql', 'must be a non-empty SELECT');
  // Nested as `(…) AS source`: a trailing semicolon would end the outer statement.
  const statement = refuseNul(sql, 'sql').trim().replace(/;\s*$/, '');
  const columns = await engine.describeQuery(statement);
  return {
    name: 'sql',
    connectionId,
    baseTable: SOURCE_TABLE,
    tables: [{ name: SOURCE_TABLE, relation: { kind: 'sql', sql: statement } }],
    joins: [],
    dimensions: columns.map((column) => ({
      name: column.name,
      table: SOURCE_TABLE,
      column: column.name,
      type: column.type,
      ...(column.nativeType !== undefined && { nativeType: column.nativeType }),
    })),
    metrics: [],
    policies: [],
    version: 0,
    dataSourceIds: [],
    readsOtherTables: true,
  };
}
