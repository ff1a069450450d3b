import { describe, expect, it } from 'vitest';
import { filtersLine, relativeText, ruleSummary, valueText } from './filter-text.ts';

describe('filters said for people', () => {
  it('says relative periods in words', () => {
    expect(relativeText(['last', 7, 'day'])).toBe('Last 7 days');
    expect(relativeText(['last', 1, 'month'])).toBe('Last month');
    expect(relativeText(['this', 'year'])).toBe('This year');
    expect(relativeText(['this', 'year', 'to date'])).toBe('Year to date');
    expect(relativeText(['next', 2, 'week'])).toBe('Next 2 weeks');
  });

  it('says values, ranges and rules', () => {
    expect(valueText(['France', 'Spain'])).toBe('France, Spain');
    expect(valueText(['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe('a, b, c, d, e and 2 more');
    expect(valueText({ from: '2025-01-01', to: '2025-03-31' })).toBe('2025-01-01 to 2025-03-31');
    expect(valueText({ min: 10 })).toBe('from 10');
    expect(valueText({ max: 20 })).toBe('up to 20');
    expect(valueText({ relative: ['last', 12, 'month'] })).toBe('Last 12 months');
    expect(ruleSummary({ field: 'orders.sum_price', operator: '>', values: [1000] })).toEqual({
      label: 'Sum of price',
      text: '> 1000',
      origin: 'schedule',
    });
  });

  it('puts them on one line, marking defaults', () => {
    expect(filtersLine([])).toBe('Filters: none (all data)');
    expect(
      filtersLine([
        { label: 'When', text: 'Year to date', origin: 'default' },
        { label: 'Country', text: 'France', origin: 'request' },
      ]),
    ).toBe('Filters: When: Year to date (default); Country: France');
  });
});
