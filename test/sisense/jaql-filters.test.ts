import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { type DemoLine, dataOf, demoLines, dim, jaql, jaqlErrorOf, quantityBy } from './jaql-support.ts';

/**
 * Every JAQL filter type, on selected items and on `panel: "scope"` items, checked against the
 * same filter computed over the demo rows: members, exclude, all, equals and comparisons, text
 * matches, top and bottom N by a measure, last / next N periods with offset, and / or, measure
 * filters (HAVING), date members and ranges on a level.
 */

const lines = demoLines();
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, 120_000);
afterAll(() => app?.close());

const country = { jaql: { title: 'Country', dim: dim('country'), datatype: 'text' } };
const sumQuantity = {
  jaql: { title: 'Total Quantity', dim: dim('quantity'), datatype: 'numeric', agg: 'sum' },
};
const scope = (column: string, filter: unknown, extra: Record<string, unknown> = {}) => ({
  jaql: { dim: dim(column), filter, ...extra },
  panel: 'scope',
});
const byCountry = (keep: (line: DemoLine) => boolean) => quantityBy(lines, (line) => line.country, keep);

/** Σ quantity by country under one scope filter. */
const filtered = async (item: unknown) => dataOf(await jaql(app, [country, sumQuantity, item]));

describe('member and text filters', () => {
  it.each<[string, string, unknown, (line: DemoLine) => boolean]>([
    [
      'members',
      'category',
      { members: ['Sports', 'Grocery'] },
      (l) => ['Sports', 'Grocery'].includes(l.category),
    ],
    ['exclude members', 'category', { exclude: { members: ['Sports'] } }, (l) => l.category !== 'Sports'],
    ['all', 'category', { explicit: false, multiSelection: true, all: true }, () => true],
    ['equals', 'category', { equals: 'Grocery' }, (l) => l.category === 'Grocery'],
    ['doesntEqual', 'category', { doesntEqual: 'Grocery' }, (l) => l.category !== 'Grocery'],
    ['contains', 'subcategory', { contains: 'ik' }, (l) => l.subcategory.toLowerCase().includes('ik')],
    [
      'doesntContain',
      'subcategory',
      { doesntContain: 'e' },
      (l) => !l.subcategory.toLowerCase().includes('e'),
    ],
    ['startsWith', 'subcategory', { startsWith: 'b' }, (l) => l.subcategory.toLowerCase().startsWith('b')],
    [
      'doesntStartWith',
      'subcategory',
      { doesntStartWith: 'B' },
      (l) => !l.subcategory.toLowerCase().startsWith('b'),
    ],
    ['endsWith', 'subcategory', { endsWith: 'S' }, (l) => l.subcategory.toLowerCase().endsWith('s')],
    [
      'doesntEndWith',
      'subcategory',
      { doesntEndWith: 's' },
      (l) => !l.subcategory.toLowerCase().endsWith('s'),
    ],
    [
      'exclude of a text match',
      'subcategory',
      { exclude: { contains: 'a' } },
      (l) => !l.subcategory.toLowerCase().includes('a'),
    ],
  ])('%s', async (_name, column, filter, keep) => {
    expect(await filtered(scope(column, filter))).toEqual(byCountry(keep));
  });

  it('filters on a selected item as on a scope item', async () => {
    const answer = await jaql(app, [
      { jaql: { ...country.jaql, filter: { members: ['France', 'Japan'] } } },
      sumQuantity,
    ]);
    expect(dataOf(answer)).toEqual(byCountry((l) => ['France', 'Japan'].includes(l.country)));
  });

  it('answers no row for an empty member list', async () => {
    expect(await filtered(scope('category', { members: [] }))).toEqual([]);
  });
});

describe('numeric comparisons', () => {
  it.each<[string, unknown, (line: DemoLine) => boolean]>([
    ['equals', { equals: 3 }, (l) => l.quantity === 3],
    ['doesntEqual', { doesntEqual: '3' }, (l) => l.quantity !== 3],
    ['from and to (both included)', { from: 2, to: 4 }, (l) => l.quantity >= 2 && l.quantity <= 4],
    ['from', { from: 5 }, (l) => l.quantity >= 5],
    ['to', { to: 2 }, (l) => l.quantity <= 2],
    ['fromNotEqual', { fromNotEqual: 5 }, (l) => l.quantity > 5],
    ['toNotEqual', { toNotEqual: 2 }, (l) => l.quantity < 2],
    [
      'fromNotEqual and toNotEqual',
      { fromNotEqual: 1, toNotEqual: 4 },
      (l) => l.quantity > 1 && l.quantity < 4,
    ],
    ['and', { and: [{ from: 2 }, { doesntEqual: 3 }] }, (l) => l.quantity >= 2 && l.quantity !== 3],
    ['or', { or: [{ equals: 1 }, { fromNotEqual: 8 }] }, (l) => l.quantity === 1 || l.quantity > 8],
  ])('%s', async (_name, filter, keep) => {
    expect(await filtered(scope('quantity', filter))).toEqual(byCountry(keep));
  });

  it('filters groups by a measure (HAVING), on the measure item and in the scope', async () => {
    const all = byCountry(() => true);
    const big = all.filter(([, sum]) => sum > 20_000);
    const onItem = await jaql(app, [
      country,
      { jaql: { ...sumQuantity.jaql, filter: { fromNotEqual: 20_000 } } },
    ]);
    expect(dataOf(onItem)).toEqual(big);
    const inScope = await jaql(app, [
      country,
      { jaql: { dim: dim('price'), agg: 'min' } },
      scope('quantity', { from: 20_000 }, { agg: 'sum' }),
    ]);
    expect(dataOf(inScope).map((row) => row[0])).toEqual(
      all.filter(([, sum]) => sum >= 20_000).map(([name]) => name),
    );
  });
});

describe('ranking filters', () => {
  it('keeps the top and bottom N values of a selected attribute by a measure', async () => {
    const ranked = byCountry(() => true).sort(([, a], [, b]) => b - a);
    const top = await jaql(app, [
      { jaql: { ...country.jaql, filter: { top: 3, by: { dim: dim('quantity'), agg: 'sum' } } } },
      sumQuantity,
    ]);
    const byName = (rows: unknown[][]) => [...rows].sort(([a], [b]) => String(a).localeCompare(String(b)));
    expect(byName(dataOf(top))).toEqual(byName(ranked.slice(0, 3)));
    const bottom = await jaql(app, [
      {
        jaql: {
          ...country.jaql,
          filter: { bottom: 2, by: { formula: 'SUM([q])', context: { '[q]': { dim: dim('quantity') } } } },
        },
      },
      sumQuantity,
    ]);
    expect(byName(dataOf(bottom))).toEqual(byName(ranked.slice(-2)));
  });

  it('refuses a top filter on a scope item', async () => {
    const answer = await jaql(app, [
      country,
      sumQuantity,
      scope('category', { top: 2, by: { dim: dim('quantity'), agg: 'sum' } }),
    ]);
    expect(jaqlErrorOf(answer)).toMatch(/^metadata\[2\]\.jaql\.filter: .*selected items/);
  });
});

describe('date filters', () => {
  const year = new Date().getUTCFullYear();
  const month = new Date().getUTCMonth();
  const inYears = (from: number, to: number) => (l: DemoLine) => {
    const y = Number(l.date.slice(0, 4));
    return y >= from && y <= to;
  };

  it.each<[string, unknown, (line: DemoLine) => boolean]>([
    [
      'last 3 years, offset 0 (the current one included)',
      { last: { count: 3, offset: 0 } },
      inYears(year - 2, year),
    ],
    ['last 2 years, offset 1', { last: { count: 2, offset: 1 } }, inYears(year - 2, year - 1)],
    ['last 2 years, offset 2', { last: { count: 2, offset: 2 } }, inYears(year - 3, year - 2)],
    ['next 1 year, offset 0 (the current one)', { next: { count: 1, offset: 0 } }, inYears(year, year)],
    ['next 2 years, offset 1', { next: { count: 2, offset: 1 } }, inYears(year + 1, year + 2)],
    ['year members', { members: ['2024-01-01T00:00:00'] }, inYears(2024, 2024)],
    [
      'from and to years (whole years)',
      { from: '2023-01-01T00:00:00', to: '2024-01-01T00:00:00' },
      inYears(2023, 2024),
    ],
    ['exclude a year', { exclude: { members: ['2023-01-01T00:00:00'] } }, (l) => !l.date.startsWith('2023')],
    [
      'fromNotEqual and toNotEqual years',
      { fromNotEqual: '2023-06-01', toNotEqual: '2025-06-01' },
      inYears(2024, 2024),
    ],
    ['from a day inside a year (the whole year)', { from: '2024-06-15T00:00:00' }, inYears(2024, 9999)],
  ])('years: %s', async (_name, filter, keep) => {
    expect(await filtered(scope('date', filter, { level: 'years', datatype: 'datetime' }))).toEqual(
      byCountry(keep),
    );
  });

  it('last N months with offset 0 counts the current month', async () => {
    const start = new Date(Date.UTC(year, month - 40, 1)).toISOString().slice(0, 7);
    const keep = (l: DemoLine) => l.date.slice(0, 7) >= start;
    expect(await filtered(scope('date', { last: { count: 41, offset: 0 } }, { level: 'months' }))).toEqual(
      byCountry(keep),
    );
  });

  it('filters months and days by members and ranges', async () => {
    const months = scope(
      'date',
      { members: ['2024-02-01T00:00:00', '2025-11-01T00:00:00'] },
      { level: 'months' },
    );
    expect(await filtered(months)).toEqual(
      byCountry((l) => ['2024-02', '2025-11'].includes(l.date.slice(0, 7))),
    );
    const days = scope('date', { from: '2024-03-10', to: '2024-03-12' }, { level: 'days' });
    expect(await filtered(days)).toEqual(
      byCountry((l) => l.date.slice(0, 10) >= '2024-03-10' && l.date.slice(0, 10) <= '2024-03-12'),
    );
  });

  it('answers JAQL errors naming a bad filter', async () => {
    expect(
      jaqlErrorOf(
        await jaql(app, [country, sumQuantity, scope('date', { last: { count: 0 } }, { level: 'years' })]),
      ),
    ).toMatch(/^metadata\[2\]\.jaql\.filter\.last\.count: /);
    expect(
      jaqlErrorOf(await jaql(app, [country, sumQuantity, scope('date', { last: { count: 1 } })])),
    ).toMatch(/^metadata\[2\]\.jaql\.filter\.last: needs a datetime attribute with a level/);
    expect(
      jaqlErrorOf(
        await jaql(app, [country, sumQuantity, scope('date', { members: ['soon'] }, { level: 'months' })]),
      ),
    ).toMatch(/^metadata\[2\]\.jaql\.filter\.members\[0\]: /);
    expect(
      jaqlErrorOf(await jaql(app, [country, sumQuantity, scope('quantity', { between: [1, 2] })])),
    ).toMatch(/^metadata\[2\]\.jaql\.filter: unsupported filter/);
    expect(
      jaqlErrorOf(await jaql(app, [country, sumQuantity, scope('quantity', { equals: 'many' })])),
    ).toMatch(/^metadata\[2\]\.jaql\.filter\.equals: must be a number/);
    expect(jaqlErrorOf(await jaql(app, [country, sumQuantity, scope('category', { or: [] })]))).toMatch(
      /^metadata\[2\]\.jaql\.filter\.or: /,
    );
  });
});
