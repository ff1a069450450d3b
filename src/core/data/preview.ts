import type { CompiledQuery, EngineDialect, JsonScalar } from '../../engines/types.ts';
import type { Principal } from '../auth/principal.ts';
import type { ModelRelation, RowPolicy } from '../query/model.ts';

/**
 * The one place the data module writes SQL text for a warehouse: a bounded `SELECT *` over a
 * source's relation for previews. Identifiers are quoted, values bound. Row policies apply here
 * exactly as in the query compiler (admins see all; a missing attribute sees nothing), so a
 * preview can never show rows a query would hide.
 */
export function quoteIdentifier(dialect: EngineDialect, name: string): string {
  return dialect === 'mysql' ? `\`${name.replaceAll('`', '``')}\`` : `"${name.replaceAll('"', '""')}"`;
}

export function relationSql(dialect: EngineDialect, relation: ModelRelation): string {
  if (relation.kind === 'sql') return `(${relation.sql}) AS ${quoteIdentifier(dialect, 'q')}`;
  const table = quoteIdentifier(dialect, relation.table);
  return relation.schema ? `${quoteIdentifier(dialect, relation.schema)}.${table}` : table;
}

export function previewQuery(
  dialect: EngineDialect,
  relation: ModelRelation,
  policies: readonly RowPolicy[],
  principal: Principal,
  limit: number,
): CompiledQuery {
  const params: JsonScalar[] = [];
  const placeholder = (value: JsonScalar): string => {
    params.push(value);
    return dialect === 'mysql' ? '?' : `$${params.length}`;
  };
  const conditions =
    principal.role === 'admin'
      ? []
      : policies.map((policy) => {
          const values = principal.attributes[policy.attribute] ?? [];
          if (values.length === 0) return '1 = 0';
          return `${quoteIdentifier(dialect, policy.field)} IN (${values.map(placeholder).join(', ')})`;
        });
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  return {
    sql: `SELECT * FROM ${relationSql(dialect, relation)}${where} LIMIT ${Math.trunc(limit)}`,
    params,
  };
}
