import { describe, expect, it } from 'vitest';
import type { DashboardFilter } from '../content/index.ts';
import { defaultsBeside, defaultValueOf } from './applied-filters.ts';
import { filterRules } from './filter-values.ts';

const definitions: DashboardFilter[] = [
  { id: 'period', field: 'date', label: 'Date', type: 'date_range' },
  { id: 'country', field: 'country', label: 'Country', type: 'values' },
  { id: 'price', field: 'price', label: 'Price', type: 'number_range' },
];

describe('dashboard filter values → filter rules', () => {
  it('turns lists into in and ranges into between, >= or <=', () => {
    expect(
      filterRules(
        {
          country: ['France', 'Spain'],
          period: { from: '2024-01-01', to: '2024-03-31' },
          price: { min: 10 },
        },
        definitions,
      ),
    ).toEqual([
      { field: 'date', operator: '>=', values: ['2024-01-01'] },
      { field: 'date', operator: '<', values: ['2024-04-01'] },
      { field: 'country', operator: 'in', values: ['France', 'Spain'] },
      { field: 'price', operator: '>=', values: [10] },
    ]);
    expect(filterRules({ date: { to: '2024-12-31' } }, definitions)).toEqual([
      { field: 'date', operator: '<', values: ['2025-01-01'] },
    ]);
    expect(filterRules({ date: { to: '2024-12-31T12:00:00' } }, definitions)).toEqual([
      { field: 'date', operator: '<=', values: ['2024-12-31T12:00:00'] },
    ]);
  });

  it('takes a relative period as the query language writes it', () => {
    expect(filterRules({ period: { relative: ['last', 7, 'day'] } }, definitions)).toEqual([
      { field: 'date', operator: 'relative', values: ['last', 7, 'day'] },
    ]);
    expect(() => filterRules({ period: { relative: 'last week' } }, definitions)).toThrow(
      expect.objectContaining({ field: 'filters.period.relative' }),
    );
  });

  it('filters nothing for an empty list or an open range', () => {
    expect(filterRules({ country: [], period: {}, price: { min: null, max: null } }, definitions)).toEqual(
      [],
    );
    expect(filterRules(undefined, definitions)).toEqual([]);
  });

  it('takes fields directly without definitions (query exports)', () => {
    expect(filterRules({ quantity: { min: 1, max: 5 }, country: ['Peru'] }, null)).toEqual([
      { field: 'quantity', operator: 'between', values: [1, 5] },
      { field: 'country', operator: 'in', values: ['Peru'] },
    ]);
  });

  it('names the offending key of bad values', () => {
    const cases: [unknown, string][] = [
      [{ colour: ['red'] }, 'filters.colour'],
      [{ period: ['2024'] }, 'filters.period'],
      [{ country: { from: 'a' } }, 'filters.country'],
      [{ period: { from: 2024 } }, 'filters.period.from'],
      [{ price: { min: 'cheap' } }, 'filters.price.min'],
      [{ period: { since: '2024-01-01' } }, 'filters.period.since'],
      [{ country: [{ nested: true }] }, 'filters.country[0]'],
      [{ country: 'France' }, 'filters.country'],
      [['France'], 'filters'],
    ];
    for (const [values, field] of cases) {
      expect(() => filterRules(values, definitions), JSON.stringify(values)).toThrow(
        expect.objectContaining({ code: 'ERR_VALIDATION', field }),
      );
    }
  });

  describe('defaults', () => {
    const withDefaults: DashboardFilter[] = [
      { ...definitions[0], default: { from: 'last 7 day' } },
      { ...definitions[1], default: ['France'] },
      definitions[2],
    ];

    it('reads a relative period written as words as the relative operator', () => {
      expect(defaultValueOf(withDefaults[0])).toEqual({ relative: ['last', 7, 'day'] });
      expect(defaultValueOf({ type: 'date_range', default: { from: 'this year to date' } })).toEqual({
        relative: ['this', 'year', 'to date'],
      });
      expect(defaultValueOf({ type: 'date_range', default: { from: '2024-01-01' } })).toEqual({
        from: '2024-01-01',
      });
    });

    it('apply to filters the request leaves out; null, [] or an open range clear them', () => {
      expect(filterRules({}, withDefaults)).toEqual([
        { field: 'date', operator: 'relative', values: ['last', 7, 'day'] },
        { field: 'country', operator: 'in', values: ['France'] },
      ]);
      expect(filterRules({ period: null, country: [] }, withDefaults)).toEqual([]);
      expect(filterRules({ period: { from: null, to: null }, country: ['Spain'] }, withDefaults)).toEqual([
        { field: 'country', operator: 'in', values: ['Spain'] },
      ]);
    });

    it("fill in a schedule's rules except on the fields those rules name", () => {
      const own = { field: 'country', operator: 'in' as const, values: ['Italy'] };
      const applied = defaultsBeside([own], withDefaults);
      expect(applied.map((a) => [a.filter.id, a.origin, a.rules])).toEqual([
        ['period', 'default', [{ field: 'date', operator: 'relative', values: ['last', 7, 'day'] }]],
      ]);
    });
  });
});
