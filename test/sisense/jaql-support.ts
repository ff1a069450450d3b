import { expect } from 'vitest';
import { demoRows } from '../../src/core/data/index.ts';
import type { TestApp } from '../support/app.ts';
import { type SisenseResponse, sx } from './support.ts';

/** Shared steps of the JAQL tests: queries through the face and the native API, and the demo rows. */

export const DEMO = 'demo_sales';
export const dim = (column: string) => `[${DEMO}.${column}]`;

export interface DemoLine {
  date: string;
  country: string;
  category: string;
  subcategory: string;
  quantity: number;
  price: number;
}

/** The demo source's rows (deterministic), as objects. */
export const demoLines = (): DemoLine[] =>
  demoRows().map(([date, country, category, subcategory, quantity, price]) => ({
    date: date as string,
    country: country as string,
    category: category as string,
    subcategory: subcategory as string,
    quantity: quantity as number,
    price: price as number,
  }));

/** Σ quantity by a key over the lines `keep` keeps, sorted by key: `[[key, sum], …]`. */
export function quantityBy(
  lines: DemoLine[],
  key: (line: DemoLine) => string,
  keep: (line: DemoLine) => boolean = () => true,
): Array<[string, number]> {
  const sums = new Map<string, number>();
  for (const line of lines) if (keep(line)) sums.set(key(line), (sums.get(key(line)) ?? 0) + line.quantity);
  return [...sums].sort(([a], [b]) => a.localeCompare(b));
}

export interface JaqlOptions {
  token?: string;
  cube?: string;
  extra?: Record<string, unknown>;
}

/** A JAQL query on the demo cube (or `cube`), as ComposeSDK sends it. */
export function jaql(app: TestApp, metadata: unknown[], options: JaqlOptions = {}): Promise<SisenseResponse> {
  const cube = options.cube ?? DEMO;
  return sx(
    app,
    'POST',
    `/api/datasources/${encodeURIComponent(cube)}/jaql`,
    { metadata, datasource: { title: cube, live: false }, by: 'ComposeSDK', ...options.extra },
    { token: options.token },
  );
}

/** The `data` of every cell of a successful JAQL answer. */
export function dataOf(answer: SisenseResponse): unknown[][] {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.body.error, answer.text).toBeUndefined();
  return answer.body.values.map((row: Array<{ data: unknown }>) => row.map((cell) => cell.data));
}

/** The details of a JAQL error answer (HTTP 200 `{error: true, details}`). */
export function jaqlErrorOf(answer: SisenseResponse): string {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.body.error, answer.text).toBe(true);
  return answer.body.details;
}

/** A native date (`2024-01-01`, `2024-01-01 00:00:00`) as the face writes it (`2024-01-01T00:00:00`). */
function sisenseDate(value: unknown): unknown {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(?:$|[T ]\d{2}:\d{2})/.test(value)) return value;
  return `${value.slice(0, 10)}T${value.length > 10 ? value.slice(11, 19) : '00:00:00'}`;
}

/** Rows of the native API (`POST /api/query`) for the same query, dates written as the face writes them. */
export async function nativeRows(
  app: TestApp,
  body: Record<string, unknown>,
  token?: string,
): Promise<unknown[][]> {
  const answer = await app.request('POST', '/api/query', body, token === undefined ? {} : { token });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.rows.map((row: unknown[]) => row.map(sisenseDate));
}

/** The demo source's uuid, which the native API addresses it by. */
export async function demoSourceUuid(app: TestApp): Promise<string> {
  const sources = await app.request('GET', '/api/data-sources');
  return sources.body.items.find((source: { name: string }) => source.name === DEMO).uuid;
}
