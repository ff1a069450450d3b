import type { JsonScalar, StorageColumn } from '../../engines/types.ts';
import { can } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import { fieldError } from '../errors.ts';
import { compileQuery } from '../query/compile.ts';
import type { FilterNode, QueryIr } from '../query/ir.ts';
import { modelOfDataSource, SOURCE_TABLE } from './models.ts';
import type { DataSourceService } from './sources.ts';
import type { DataSource } from './types.ts';
import { coerceValue, INVALID } from './values.ts';

/**
 * Row policies hold for writes as for reads: a principal they bind (anyone but an admin acting as
 * themselves) may only insert rows inside its policy values, and only change or delete rows that
 * are inside them already. A row outside is a 403 naming it; replacing the whole table, which
 * would touch rows the writer cannot see, is refused.
 */
export interface WritePolicy {
  /** New rows (insert, upsert): each policy column must hold one of the writer's values. */
  checkNew(
    rows: readonly JsonScalar[][],
    columns: readonly StorageColumn[],
    path: (row: number) => string,
  ): void;
  /** Rows the write would change or delete, found by these key columns: all must be inside. */
  checkExisting(
    keyColumns: readonly StorageColumn[],
    keys: readonly JsonScalar[][],
    path: string,
  ): Promise<void>;
}

interface Bound {
  column: string;
  attribute: string;
  allowed: Set<string>;
}

/** Rows of existing keys read per query when checking an upsert or delete. */
const KEYS_PER_QUERY = 500;

const text = (value: JsonScalar): string | null => (value === null ? null : String(value));

const refuse = (field: string, problem: string) => fieldError('ERR_FORBIDDEN', field, problem);

/** Undefined when the principal's writes to this source are not bound by any policy. */
export function writePolicyOf(
  principal: Principal,
  source: DataSource,
  sources: Pick<DataSourceService, 'storageOf'>,
  maxRows: number,
): WritePolicy | undefined {
  if (can(principal, 'rows.all') || source.policies.length === 0) return undefined;
  const bounds: Bound[] = source.policies.map((policy) => {
    const column = policy.field.startsWith(`${SOURCE_TABLE}.`)
      ? policy.field.slice(SOURCE_TABLE.length + 1)
      : policy.field;
    const type = source.columns.find((c) => c.name === column)?.type ?? 'string';
    // Values as the column stores them, so `2` and "2.0" or two spellings of a date agree.
    const allowed = (principal.attributes[policy.attribute] ?? []).flatMap((value) => {
      const typed = type === 'json' ? value : coerceValue(type, value);
      return typed === INVALID || typed === null ? [] : [String(typed)];
    });
    return { column, attribute: policy.attribute, allowed: new Set(allowed) };
  });

  const outside = (bound: Bound, value: JsonScalar) => {
    const shown = text(value);
    return shown === null || !bound.allowed.has(shown);
  };
  const problem = (bound: Bound, value: JsonScalar) =>
    `${JSON.stringify(value)} is outside your rows (the "${bound.attribute}" policy on ${bound.column})`;

  return {
    checkNew(rows, columns, path) {
      for (const bound of bounds) {
        const index = columns.findIndex((c) => c.name === bound.column);
        rows.forEach((row, r) => {
          const value = index < 0 ? null : row[index];
          if (outside(bound, value)) throw refuse(`${path(r)}.${bound.column}`, problem(bound, value));
        });
      }
    },

    async checkExisting(keyColumns, keys, path) {
      if (keys.length === 0) return;
      const storage = await sources.storageOf(source);
      // Every row, whatever the writer may read: the point is to find the ones it may not.
      const model = { ...modelOfDataSource(source, source.uuid), policies: [] };
      const fields = [...new Set([...keyColumns.map((c) => c.name), ...bounds.map((b) => b.column)])];
      for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
        const chunk = keys.slice(start, start + KEYS_PER_QUERY);
        const ir: QueryIr = {
          dimensions: fields.map((field) => ({ field })),
          metrics: [],
          filters: keyFilter(keyColumns, chunk),
          sorts: [],
          offset: 0,
          aggregate: false,
        };
        const query = compileQuery(model, ir, { dialect: storage.dialect, principal, maxRows });
        const { rows, truncated } = await storage.run(query, { maxRows });
        if (truncated)
          throw refuse(path, `more than ${maxRows} stored rows match these keys: too many to check`);
        for (const row of rows) {
          for (const bound of bounds) {
            const value = row[fields.indexOf(bound.column)];
            if (!outside(bound, value)) continue;
            const key = keyColumns.map((c) => `${c.name}=${JSON.stringify(row[fields.indexOf(c.name)])}`);
            throw refuse(
              path,
              `the stored row ${key.join(', ')} is outside your rows: ${problem(bound, value)}`,
            );
          }
        }
      }
    },
  };
}

/** Rows whose key is one of `keys`: `IN` for a one-column key, else one `AND` per key. */
function keyFilter(keyColumns: readonly StorageColumn[], keys: readonly JsonScalar[][]): FilterNode {
  if (keyColumns.length === 1)
    return { field: keyColumns[0].name, operator: 'in', values: keys.map((key) => key[0]) };
  return {
    or: keys.map((key) => ({
      and: keyColumns.map((column, i) => ({ field: column.name, operator: '=', values: [key[i]] })),
    })),
  };
}

/** A replace drops rows the writer may not see: refused to anyone a policy binds. */
export function refuseReplace(policy: WritePolicy | undefined, field: string): void {
  if (policy)
    throw refuse(
      field,
      'a replace would drop rows outside your row policy; push, upsert or delete rows instead',
    );
}
