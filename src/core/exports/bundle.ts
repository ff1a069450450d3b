/**
 * A dashboard as a ZIP of CSV files, one per widget with data (format `zip`): each file is the
 * widget's own CSV export, with the dashboard filters that apply to that widget, so the bundle
 * holds exactly what exporting each tile one by one would.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Principal } from '../auth/principal.ts';
import type { ViewFilters } from '../views/index.ts';
import type { ProduceDeps, ProducedFile } from './produce.ts';
import type { ExportFormat, RenderTarget } from './target.ts';
import { writeZip, type ZipEntry } from './zip.ts';

type Produce = (
  deps: ProduceDeps,
  principal: Principal,
  request: { target: RenderTarget; format: ExportFormat; filters: ProduceFilters; variables?: unknown },
  dir: string,
  signal: AbortSignal,
) => Promise<ProducedFile>;
type ProduceFilters = ViewFilters;

/** `name.csv`, `name (2).csv`, … : two tiles may have the same title. */
function uniqueName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf('.');
  const [base, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base} (${n})${extension}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** Writes the bundle to `path`; the parts are made in a hidden directory beside it and removed. */
export async function produceCsvBundle(
  produce: Produce,
  deps: ProduceDeps,
  principal: Principal,
  request: { dashboard: number | string; widgetIds: string[]; filters: ProduceFilters; variables?: unknown },
  path: string,
  signal: AbortSignal,
  progress: (percent: number) => void,
): Promise<{ size: number; rows: number; truncated: boolean; warnings: string[] }> {
  const parts = join(path, '..', '.parts');
  await rm(parts, { recursive: true, force: true });
  try {
    const entries: ZipEntry[] = [];
    const taken = new Set<string>();
    let rows = 0;
    let truncated = false;
    const warnings: string[] = [];
    for (const [i, widgetId] of request.widgetIds.entries()) {
      const dir = join(parts, String(i));
      await mkdir(dir, { recursive: true });
      const produced = await produce(
        deps,
        principal,
        {
          target: { widget: { dashboard: request.dashboard, widget: widgetId } },
          format: 'csv',
          filters: request.filters,
          variables: request.variables,
        },
        dir,
        signal,
      );
      entries.push({ name: uniqueName(produced.filename, taken), path: produced.path });
      rows += produced.rows;
      truncated ||= produced.truncated;
      warnings.push(...produced.warnings.map((warning) => `${produced.filename}: ${warning}`));
      progress(10 + Math.round((70 * (i + 1)) / request.widgetIds.length));
    }
    const size = await writeZip(entries, path, deps.now());
    return { size, rows, truncated, warnings };
  } finally {
    await rm(parts, { recursive: true, force: true });
  }
}
