import { DEMO_COLUMNS, DEMO_ROWS, demoRows } from './demo-rows.ts';
import type { StorageIngestor } from './ingest.ts';
import type { DataSourceService } from './sources.ts';
import type { DataSource } from './types.ts';

/** The demo storage source: the rows of `demo-rows.ts`, in the organization's embedded DuckDB. */
export const DEMO_SOURCE_NAME = 'demo_sales';

/** Creates `demo_sales` in the organization's embedded DuckDB once; refills it if it is empty. */
export async function ensureDemoData(deps: {
  sources: DataSourceService;
  ingestor: StorageIngestor;
  organizationId: number;
}): Promise<DataSource> {
  const found = await deps.sources.findByName(deps.organizationId, DEMO_SOURCE_NAME);
  const existing = found?.type === 'storage' ? found : undefined;
  if (existing) {
    const count = await (await deps.sources.storageOf(existing)).countRows(existing.table ?? '');
    if (count === DEMO_ROWS) return existing;
  }
  const source =
    existing ??
    (await deps.sources.createStorage(deps.organizationId, {
      type: 'storage',
      name: DEMO_SOURCE_NAME,
      columns: DEMO_COLUMNS,
    }));
  await deps.ingestor.apply(source, {
    mode: 'replace',
    rows: demoRows(),
    columns: DEMO_COLUMNS.map((c) => c.name),
  });
  return (await deps.sources.find(deps.organizationId, source.id)) ?? source;
}
