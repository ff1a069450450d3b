import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeXlsx } from '../../../../core/exports/index.ts';
import type { QueryRunResult } from '../../../../core/query/index.ts';
import type { ResultColumn } from '../../../../engines/types.ts';
import { titleOf } from './answer.ts';
import type { JaqlPlan } from './plan.ts';

/**
 * ENG-01 `POST /engine/excelExport`: a pivot JAQL's answer as an xlsx workbook (the core's xlsx
 * writer). Columns are titled as the items are; a spread column of a pivot is titled by its
 * measure and the values of the `columns` attributes (`Total Quantity · France`).
 */

/** The shown result columns (helpers left out), with their positions, named by the items' titles. */
export function titledColumns(
  plan: JaqlPlan,
  result: QueryRunResult,
): Array<{ position: number; column: ResultColumn }> {
  const titles = new Map(plan.columns.map((column) => [column.name, titleOf(column)]));
  return result.columns.flatMap((column, position) => {
    const title = titles.get(column.pivot?.metric ?? column.name);
    if (title === undefined) return [];
    const values = column.pivot?.values.map((value) => (value === null ? 'N\\A' : String(value))) ?? [];
    return [{ position, column: { ...column, name: [title, ...values].join(' · ') } }];
  });
}

/** The workbook's bytes: one sheet named after the cube. */
export async function xlsxOf(sheetName: string, plan: JaqlPlan, result: QueryRunResult): Promise<Buffer> {
  const shown = titledColumns(plan, result);
  const rows = result.rows.map((row) => shown.map(({ position }) => row[position]));
  // The core's writer streams into a file: a private temporary one, removed once read.
  const directory = await mkdtemp(join(tmpdir(), 'rosetta-sisense-xlsx-'));
  try {
    const file = join(directory, 'export.xlsx');
    await writeXlsx([{ name: sheetName, columns: shown.map(({ column }) => column), rows }], file);
    return await readFile(file);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
