import { validationError } from '../../../core/errors.ts';
import { lightdashFieldId } from '../../kit/index.ts';
import type { Explore } from './explores.ts';
import type { TableCalculation } from './metric-query-schema.ts';

/**
 * Table calculations (spec §3.4) are post formulas over the result's columns, which are named by
 * their Lightdash ids.
 */

/** A table calculation's SQL as a post formula over result ids: `${table.field}` → its field id. */
export function calculationFormula(
  calculation: TableCalculation,
  path: string,
  explore: Explore,
  calculations: Map<string, TableCalculation>,
): string {
  const tables = new Set(explore.tables.map((table) => table.name));
  return calculation.sql.replace(/\$\{([^}]*)\}/g, (whole, reference: string) => {
    if (calculations.has(reference)) return quoteName(reference);
    const dot = reference.lastIndexOf('.');
    const table = dot < 0 ? '' : reference.slice(0, dot);
    if (dot < 0 || !tables.has(table))
      throw validationError(path, `unknown reference ${whole}`, 'query.unknown_field');
    return quoteName(lightdashFieldId({ table, field: reference.slice(dot + 1) }));
  });
}

const quoteName = (name: string): string => `"${name.replaceAll('"', '""')}"`;
