import type { JsonScalar, StorageColumn } from '../../engines/types.ts';
import type { StorageIngestor } from './ingest.ts';
import type { DataSourceService } from './sources.ts';
import type { DataSource } from './types.ts';

/**
 * The demo storage source `demo_sales`: 100 000 deterministic sales over 2023–2025, so every
 * face has data to show on a fresh install and tests can assert exact sums. The generator is
 * seeded (mulberry32), so two installs hold the same rows.
 */
export const DEMO_SOURCE_NAME = 'demo_sales';
export const DEMO_ROWS = 100_000;
export const DEMO_START = '2023-01-01';
export const DEMO_END = '2025-12-31';

export const DEMO_COUNTRIES = [
  'France',
  'Germany',
  'Spain',
  'Italy',
  'United Kingdom',
  'Belgium',
  'Netherlands',
  'Switzerland',
  'Portugal',
  'Sweden',
  'Norway',
  'Poland',
  'United States',
  'Canada',
  'Mexico',
  'Brazil',
  'Japan',
  'India',
  'Australia',
  'South Africa',
] as const;

export const DEMO_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  Electronics: ['Phones', 'Laptops', 'Audio', 'Cameras'],
  Furniture: ['Chairs', 'Tables', 'Storage'],
  Clothing: ['Shirts', 'Shoes', 'Jackets', 'Accessories'],
  Grocery: ['Beverages', 'Snacks', 'Produce'],
  Sports: ['Bikes', 'Fitness', 'Outdoor', 'Team Sports'],
};

export const DEMO_COLUMNS: StorageColumn[] = [
  { name: 'date', type: 'datetime' },
  { name: 'country', type: 'string' },
  { name: 'category', type: 'string' },
  { name: 'subcategory', type: 'string' },
  { name: 'quantity', type: 'integer' },
  { name: 'price', type: 'number' },
  { name: 'cost_of_goods', type: 'number' },
];

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cents = (value: number): number => Math.round(value * 100) / 100;

/** The demo rows, in DEMO_COLUMNS order; the same array on every call. */
export function demoRows(count = DEMO_ROWS, seed = 20230101): JsonScalar[][] {
  const random = mulberry32(seed);
  const subcategories = Object.entries(DEMO_CATEGORIES).flatMap(([category, subs]) =>
    subs.map((sub, index) => ({ category, sub, basePrice: 5 + ((category.length * 37 + index * 53) % 400) })),
  );
  const start = Date.parse(`${DEMO_START}T00:00:00Z`);
  const seconds = (Date.parse(`${DEMO_END}T23:59:59Z`) - start) / 1000;
  const rows: JsonScalar[][] = new Array(count);
  for (let i = 0; i < count; i++) {
    const when = new Date(start + Math.floor(random() * (seconds + 1)) * 1000).toISOString().slice(0, 19);
    const country = DEMO_COUNTRIES[Math.floor(random() * DEMO_COUNTRIES.length)];
    const { category, sub, basePrice } = subcategories[Math.floor(random() * subcategories.length)];
    const price = cents(basePrice * (0.8 + random() * 0.4));
    const cost = cents(price * (0.45 + random() * 0.3));
    rows[i] = [when, country, category, sub, 1 + Math.floor(random() * 10), price, cost];
  }
  return rows;
}

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
