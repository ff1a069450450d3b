import type { JsonScalar, StorageColumn } from '../../engines/types.ts';

/**
 * The rows of the demo source (`demo.ts`): 100 000 deterministic order lines over 2023–2025, so
 * every face has data to show on a fresh install and tests can assert exact sums. The generator
 * is seeded (mulberry32), so two installs hold the same rows.
 *
 * The rows tell a story a dashboard can show: orders grow each year, at a rate of their own per
 * country (DEMO_MARKETS), prices rise a little every year, every category has its season (a
 * summer dip and a December peak overall; Sports high in spring and summer, Electronics in November
 * and December), Brazil has a one-month spike (DEMO_SPIKE) and a handful of bulk orders
 * (DEMO_BULK_ORDERS) stand out. `price` and `cost_of_goods` are per unit: a line's revenue is
 * `price * quantity` and its margin `(price - cost_of_goods) * quantity`.
 */
export const DEMO_ROWS = 100_000;
export const DEMO_START = '2023-01-01';
export const DEMO_END = '2025-12-31';

/** Each country's share of the orders in January 2023 (relative weights) and yearly order growth. */
export const DEMO_MARKETS: readonly { country: string; weight: number; growth: number }[] = [
  { country: 'France', weight: 9, growth: 1.15 },
  { country: 'Germany', weight: 10, growth: 1.2 },
  { country: 'Spain', weight: 5, growth: 1.25 },
  { country: 'Italy', weight: 6, growth: 1.06 },
  { country: 'United Kingdom', weight: 9, growth: 1.18 },
  { country: 'Belgium', weight: 2, growth: 1.12 },
  { country: 'Netherlands', weight: 4, growth: 1.22 },
  { country: 'Switzerland', weight: 3, growth: 1.1 },
  { country: 'Portugal', weight: 2, growth: 1.3 },
  { country: 'Sweden', weight: 3, growth: 1.2 },
  { country: 'Norway', weight: 2, growth: 1.15 },
  { country: 'Poland', weight: 3, growth: 1.4 },
  { country: 'United States', weight: 16, growth: 1.28 },
  { country: 'Canada', weight: 5, growth: 1.2 },
  { country: 'Mexico', weight: 3, growth: 1.35 },
  { country: 'Brazil', weight: 3, growth: 1.45 },
  { country: 'Japan', weight: 7, growth: 0.9 },
  { country: 'India', weight: 3, growth: 1.6 },
  { country: 'Australia', weight: 4, growth: 1.18 },
  { country: 'South Africa', weight: 2, growth: 1.25 },
];
export const DEMO_COUNTRIES: readonly string[] = DEMO_MARKETS.map((m) => m.country);

/** One country's campaign month: its orders that month are multiplied by `factor`. */
export const DEMO_SPIKE = { country: 'Brazil', month: '2024-11', factor: 4 } as const;

/** Prices rise by this factor each year (on top of the order growth). */
const PRICE_INFLATION = 1.04;

/** Overall orders by month of the year (January first): a summer dip and a December peak. */
const SEASON = [0.85, 0.8, 0.95, 1, 1, 0.9, 0.75, 0.65, 0.95, 1, 1.2, 1.55];

interface DemoProduct {
  subcategory: string;
  /** Unit price in January 2023, before the ±15 % noise of each line. */
  price: number;
  /** Lines order 1 to `maxQuantity` units. */
  maxQuantity: number;
}

interface DemoCategory {
  /** Share of the orders (relative weights). */
  weight: number;
  /** Orders by month of the year, on top of SEASON. */
  season: readonly number[];
  /** Unit cost as a fraction of the unit price: [lowest, highest). */
  costRatio: readonly [number, number];
  products: readonly DemoProduct[];
}

const CATALOGUE: Readonly<Record<string, DemoCategory>> = {
  Electronics: {
    weight: 11,
    season: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.5, 1.8],
    costRatio: [0.7, 0.85],
    products: [
      { subcategory: 'Phones', price: 650, maxQuantity: 2 },
      { subcategory: 'Laptops', price: 1100, maxQuantity: 2 },
      { subcategory: 'Audio', price: 120, maxQuantity: 3 },
      { subcategory: 'Cameras', price: 480, maxQuantity: 2 },
    ],
  },
  Furniture: {
    weight: 16,
    season: [1.3, 1.1, 1, 1, 0.9, 0.9, 0.8, 0.9, 1.2, 1.1, 0.9, 0.7],
    costRatio: [0.5, 0.65],
    products: [
      { subcategory: 'Chairs', price: 140, maxQuantity: 6 },
      { subcategory: 'Tables', price: 320, maxQuantity: 2 },
      { subcategory: 'Storage', price: 90, maxQuantity: 4 },
    ],
  },
  Clothing: {
    weight: 25,
    season: [1.2, 0.9, 1.1, 1.1, 1, 1, 1.1, 0.9, 1.2, 1.1, 1, 1.1],
    costRatio: [0.35, 0.55],
    products: [
      { subcategory: 'Shirts', price: 35, maxQuantity: 5 },
      { subcategory: 'Shoes', price: 85, maxQuantity: 3 },
      { subcategory: 'Jackets', price: 140, maxQuantity: 2 },
      { subcategory: 'Accessories', price: 25, maxQuantity: 5 },
    ],
  },
  Grocery: {
    weight: 28,
    season: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.2],
    costRatio: [0.6, 0.8],
    products: [
      { subcategory: 'Beverages', price: 18, maxQuantity: 10 },
      { subcategory: 'Snacks', price: 12, maxQuantity: 10 },
      { subcategory: 'Produce', price: 15, maxQuantity: 10 },
    ],
  },
  Sports: {
    weight: 20,
    season: [0.6, 0.7, 1, 1.4, 1.6, 1.7, 1.7, 1.6, 1.1, 0.8, 0.6, 0.7],
    costRatio: [0.5, 0.7],
    products: [
      { subcategory: 'Bikes', price: 750, maxQuantity: 2 },
      { subcategory: 'Fitness', price: 60, maxQuantity: 4 },
      { subcategory: 'Outdoor', price: 110, maxQuantity: 3 },
      { subcategory: 'Team Sports', price: 30, maxQuantity: 6 },
    ],
  },
};

export const DEMO_CATEGORIES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(CATALOGUE).map(([category, { products }]) => [category, products.map((p) => p.subcategory)]),
);

/**
 * A handful of bulk orders, far above every other line: each replaces the row at its index
 * (the other rows stay as they are). Prices and costs are drawn like any other line's.
 */
export const DEMO_BULK_ORDERS: readonly {
  row: number;
  date: string;
  country: string;
  subcategory: string;
  quantity: number;
}[] = [
  { row: 8_000, date: '2023-06-14T10:12:00', country: 'Germany', subcategory: 'Laptops', quantity: 250 },
  { row: 24_000, date: '2023-10-17T15:40:00', country: 'Canada', subcategory: 'Tables', quantity: 150 },
  {
    row: 41_000,
    date: '2024-03-08T09:05:00',
    country: 'United States',
    subcategory: 'Phones',
    quantity: 300,
  },
  { row: 57_000, date: '2024-09-20T11:30:00', country: 'Japan', subcategory: 'Cameras', quantity: 180 },
  {
    row: 73_000,
    date: '2025-02-03T14:20:00',
    country: 'United Kingdom',
    subcategory: 'Chairs',
    quantity: 400,
  },
  { row: 90_000, date: '2025-05-12T16:45:00', country: 'France', subcategory: 'Bikes', quantity: 220 },
];

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

/** One (country, month, category) combination and its relative number of orders. */
interface Cell {
  country: string;
  /** Months since DEMO_START: 0 … 35. */
  month: number;
  category: string;
}

/** Every cell with the running total of the weights, for drawing cells in proportion. */
function cellTable(): { cells: Cell[]; cumulative: Float64Array } {
  const cells: Cell[] = [];
  const weights: number[] = [];
  const spikeMonth = monthsSinceStart(DEMO_SPIKE.month);
  for (const { country, weight, growth } of DEMO_MARKETS) {
    for (let month = 0; month <= monthsSinceStart(DEMO_END); month++) {
      const spike = country === DEMO_SPIKE.country && month === spikeMonth ? DEMO_SPIKE.factor : 1;
      const base = weight * growth ** (month / 12) * SEASON[month % 12] * spike;
      for (const [category, { weight: share, season }] of Object.entries(CATALOGUE)) {
        cells.push({ country, month, category });
        weights.push(base * share * season[month % 12]);
      }
    }
  }
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((weight, i) => {
    total += weight;
    cumulative[i] = total;
  });
  return { cells, cumulative };
}

const monthsSinceStart = (date: string): number =>
  (Number(date.slice(0, 4)) - Number(DEMO_START.slice(0, 4))) * 12 + Number(date.slice(5, 7)) - 1;

/** The first index whose running total exceeds `target` (binary search). */
function pick(cumulative: Float64Array, target: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle] > target) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** A uniformly drawn second of the month, as `YYYY-MM-DDTHH:MM:SS` (UTC). */
function timeIn(month: number, random: () => number): string {
  const year = Number(DEMO_START.slice(0, 4)) + Math.floor(month / 12);
  const start = Date.UTC(year, month % 12, 1);
  const seconds = (Date.UTC(year, (month % 12) + 1, 1) - start) / 1000;
  return new Date(start + Math.floor(random() * seconds) * 1000).toISOString().slice(0, 19);
}

const productOf = (subcategory: string): { category: string; product: DemoProduct } => {
  for (const [category, { products }] of Object.entries(CATALOGUE)) {
    const product = products.find((p) => p.subcategory === subcategory);
    if (product) return { category, product };
  }
  throw new Error(`unknown demo subcategory ${subcategory}`);
};

/** The demo rows, in DEMO_COLUMNS order; the same rows on every call. */
export function demoRows(count = DEMO_ROWS, seed = 20230101): JsonScalar[][] {
  const random = mulberry32(seed);
  const { cells, cumulative } = cellTable();
  const total = cumulative[cumulative.length - 1];
  const bulk = new Map(DEMO_BULK_ORDERS.map((order) => [order.row, order]));
  const rows: JsonScalar[][] = new Array(count);
  for (let i = 0; i < count; i++) {
    // The regular line is drawn even where a bulk order replaces it, so the other rows never move.
    const drawn = drawLine(cells[pick(cumulative, random() * total)], random);
    const order = bulk.get(i);
    const line = order ? { ...order, ...productOf(order.subcategory) } : drawn;
    const [lowCost, highCost] = CATALOGUE[line.category].costRatio;
    const inflation = PRICE_INFLATION ** (monthsSinceStart(line.date) / 12);
    const price = cents(line.product.price * inflation * (0.85 + random() * 0.3));
    const cost = cents(price * (lowCost + random() * (highCost - lowCost)));
    rows[i] = [line.date, line.country, line.category, line.product.subcategory, line.quantity, price, cost];
  }
  return rows;
}

interface Line {
  date: string;
  country: string;
  category: string;
  product: DemoProduct;
  quantity: number;
}

/** A regular line of a cell: one of its category's products, any second of its month. */
function drawLine(cell: Cell, random: () => number): Line {
  const products = CATALOGUE[cell.category].products;
  const product = products[Math.floor(random() * products.length)];
  return {
    date: timeIn(cell.month, random),
    country: cell.country,
    category: cell.category,
    product,
    quantity: 1 + Math.floor(random() * product.maxQuantity),
  };
}
